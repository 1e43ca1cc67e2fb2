"""The Flask application factory: builds the web app around a Site, starts nothing."""
from __future__ import annotations

import logging

from flask import Flask

from flask_login import current_user

from application import Site
from application.health import BANNERS, HISTORY_BANNER, REMOTE_BANNER
from kb.article import TYPES
from kb.config import Config
from kb.fields import registry

from . import auth, errors, inputs, security
from .urls import Urls

log = logging.getLogger(__name__)


def create_app(site: Site | Config | dict | None = None) -> Flask:
    """Build the site's web app. ``site`` is a Site, or a Config, or a dict of overrides on top
    of the configuration file and KB_* environment variables. No thread is started and no
    index opened: ``kb serve`` runs the index keeper as a process of its own, ``kb serve
    --debug`` and the tests call ``site.start_keeper()``."""
    if not isinstance(site, Site):
        site = Site(site)
    config = site.config
    app = Flask(__name__)
    if config.trusted_proxies > 0:  # the address and scheme the proxy saw (login and beacon limits count it)
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.trusted_proxies, x_proto=config.trusted_proxies)
    # a request may carry an imported document or an article's attachments (several at once)
    app.config.update(SECRET_KEY=site.secret_key(), KB=config,
                      MAX_CONTENT_LENGTH=max(config.max_upload_bytes, 2 * config.max_attachment_bytes) + 1_000_000)
    app.json.ensure_ascii = False
    app.extensions["kb"] = site
    security.init_app(app, config)
    urls = Urls()
    seen = {"stamp": site.changes_stamp()}

    @app.before_request
    def follow_content():
        """Another process changed the content (the keeper saw a file change, another worker
        saved an article): reload the articles before answering."""
        stamp = site.changes_stamp()
        if stamp != seen["stamp"]:
            seen["stamp"] = stamp
            site.follow_changes()

    @app.context_processor
    def index_banner():
        """What editors (logged in) should know of the index; readers are not asked to act on it."""
        if not (config.allow_edit and current_user.can("editor")):
            return {"index_banner": None, "history_banner": None, "remote_banner": None}
        health = site.health()
        own = health.error in (health.history, health.remote)  # said by its own banner
        banner = None if own and health.error else BANNERS.get(health.status)
        return {"index_banner": banner.format(error=health.error) if banner else None,
                "history_banner": HISTORY_BANNER.format(error=health.history) if health.history else None,
                "remote_banner": REMOTE_BANNER.format(error=health.remote) if health.remote else None}

    auth.init_app(app, site)
    inputs.init_app(app)  # after auth's guard and the form token
    errors.init_app(app)
    from .views import (addresses, analytics, api, articles, browse, drafts, edit, feedback, feeds, folders, following,
                        history, home, icons, importing, lifecycle, links, paths, pins, reading, search, synonyms,
                        writing_help)

    for module in (home, search, articles, browse, edit, drafts, history, importing, feeds, api, analytics, synonyms,
                   icons, writing_help, lifecycle, addresses, links, paths, pins, reading, feedback, following, folders):
        app.register_blueprint(module.bp)

    @app.context_processor
    def globals_():
        return {"site_name": config.site_name, "TYPES": TYPES, "allow_edit": config.allow_edit, "urls": urls,
                "details": details}

    return app


def details(article) -> list:
    """(field, value) of the fields an article's header lists (kb.fields: ``shown``), in the
    registry's order, those with a value."""
    return [(f, article.meta.get(f.name)) for f in registry().shown if article.meta.get(f.name) not in (None, "", [])]


def warm(app: Flask) -> None:
    """Open the index and load jieba now, so that the first searches of a new worker process do
    not wait for them (gunicorn calls this after starting each worker)."""
    app.extensions["kb"].search.ready()
