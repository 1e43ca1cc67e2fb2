"""The Flask application factory."""
from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from pathlib import Path

from flask import Flask, render_template, request

from kb.article import TYPES
from kb.config import Config, load_config
from kb.store import ContentStore
from search.interface import open_engine

from .indexing import IndexKeeper, content_stamp

log = logging.getLogger(__name__)


def create_app(config: Config | dict | None = None, keeper: bool = True) -> Flask:
    """Build the site. ``config`` is a Config, or a dict of overrides on top of the
    configuration file and KB_* environment variables. With ``keeper`` the site keeps its index
    current itself (one process: ``kb serve --debug``, tests); ``kb serve`` runs the keeper in a
    process of its own and its workers without one."""
    if not isinstance(config, Config):
        config = load_config(**(config or {}))
    if not config.secret_key:
        config = replace(config, secret_key=secrets.token_hex(16))
    app = Flask(__name__)
    app.config.update(SECRET_KEY=config.secret_key, JSON_AS_ASCII=False, KB=config)
    app.json.ensure_ascii = False

    store = ContentStore(Path(config.content_dir), max_article_bytes=config.max_article_bytes)
    engine = open_engine(config)
    keeper_ = IndexKeeper(engine, store) if keeper else None
    app.extensions["kb"] = {"store": store, "search": engine, "keeper": keeper_, "config": config}
    seen = {"stamp": content_stamp(config.index_path)}

    @app.before_request
    def follow_content():
        """Another process changed the content (the keeper saw a file change, another worker
        saved an article): reload the articles before answering."""
        stamp = content_stamp(config.index_path)
        if stamp != seen["stamp"]:
            seen["stamp"] = stamp
            store.invalidate()

    from .views import api, articles, browse, edit, feeds, home, search

    for module in (home, search, articles, browse, edit, feeds, api):
        app.register_blueprint(module.bp)

    @app.context_processor
    def globals_():
        return {"site_name": config.site_name, "TYPES": TYPES, "allow_edit": config.allow_edit}

    @app.errorhandler(404)
    def not_found(error):
        if request.path.startswith("/api/"):
            return {"error": "not_found", "message": "没有找到请求的内容"}, 404
        return render_template("error.html", code=404, title="页面不存在",
                               message="您要找的页面不存在，可能已被移动或删除。"), 404

    @app.errorhandler(400)
    def bad_request(error):
        return render_template("error.html", code=400, title="请求无效",
                               message="表单已过期或请求不完整，请返回上一页刷新后重试。"), 400

    @app.errorhandler(405)
    def not_allowed(error):
        return render_template("error.html", code=405, title="不支持的操作", message="这个地址不支持这种请求方式。"), 405

    @app.errorhandler(500)
    def server_error(error):
        if request.path.startswith("/api/"):
            return {"error": "server_error", "message": "服务器内部错误"}, 500
        return render_template("error.html", code=500, title="出错了",
                               message="服务器处理请求时出错，请稍后再试。"), 500

    if keeper_ is not None:
        keeper_.start()
    return app


def warm(app: Flask) -> None:
    """Open the index and load jieba now, so that the first searches of a new worker process do
    not wait for them (gunicorn calls this after starting each worker)."""
    app.extensions["kb"]["search"].ready()
