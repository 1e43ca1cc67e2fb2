"""The Flask application factory: builds the web app around a Site, starts nothing."""
from __future__ import annotations

import logging

from flask import Flask

from kb.article import TYPES
from kb.config import Config

from . import auth, errors, health, security
from application.keeper import content_stamp
from application import Site
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
    app.config.update(SECRET_KEY=site.secret_key(), KB=config, MAX_CONTENT_LENGTH=config.max_upload_bytes + 1_000_000)
    app.json.ensure_ascii = False
    app.extensions["kb"] = site
    security.init_app(app, config)
    health.init_app(app)
    urls = Urls()
    seen = {"stamp": content_stamp(config.index_path, config.content_dir)}

    @app.before_request
    def follow_content():
        """Another process changed the content (the keeper saw a file change, another worker
        saved an article): reload the articles before answering."""
        stamp = content_stamp(config.index_path, config.content_dir)
        if stamp != seen["stamp"]:
            seen["stamp"] = stamp
            site.store.invalidate()

    auth.init_app(app, site)
    errors.init_app(app)
    from .views import (analytics, api, articles, browse, edit, feeds, history, home, icons, importing, search,
                        synonyms, writing_help)

    for module in (home, search, articles, browse, edit, history, importing, feeds, api, analytics, synonyms, icons,
                   writing_help):
        app.register_blueprint(module.bp)

    @app.context_processor
    def globals_():
        return {"site_name": config.site_name, "TYPES": TYPES, "allow_edit": config.allow_edit, "urls": urls}

    return app


def warm(app: Flask) -> None:
    """Open the index and load jieba now, so that the first searches of a new worker process do
    not wait for them (gunicorn calls this after starting each worker)."""
    app.extensions["kb"].search.ready()
