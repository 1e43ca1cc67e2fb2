"""One place that turns errors into responses: JSON for the API (and clients asking for
JSON), an HTML page in Chinese for everyone else (datasette's one error type, rendered once)."""
from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from search.interface import SearchError

log = logging.getLogger(__name__)

#: status -> (code for JSON, page title, message)
MESSAGES = {
    400: ("bad_request", "请求无效", "请求不完整或格式不对，请返回上一页刷新后重试。"),
    401: ("login_required", "需要登录", "请先登录。"),
    403: ("forbidden", "没有权限", "您的账号没有做这件事的权限。需要权限时请联系管理员。"),
    404: ("not_found", "页面不存在", "您要找的页面不存在，可能已被移动或删除。"),
    405: ("method_not_allowed", "不支持的操作", "这个地址不支持这种请求方式。"),
    413: ("too_large", "文件太大", "上传的内容超过了大小上限。"),
    429: ("too_many_requests", "尝试次数过多", "请稍后再试。"),
    500: ("server_error", "出错了", "服务器处理请求时出错，请稍后再试。"),
    503: ("unavailable", "暂时不可用", "服务暂时不可用，请稍后再试。"),
}
CSRF_MESSAGE = ("表单已过期或缺少安全校验（例如在别的网站提交、或登录状态已变）。您输入的内容没有保存；"
                "请返回上一页，复制好内容后刷新页面再提交。")


class SiteError(HTTPException):
    """An HTTP error with a message of our own (``raise SiteError(403, "…")``)."""

    def __init__(self, status: int, message: str | None = None):
        super().__init__(description=message)
        self.code = status


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def respond(status: int, message: str | None = None, code: str | None = None, headers=None):
    default_code, title, default_message = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    message = message or default_message
    if wants_json():
        return {"error": code or default_code, "message": message}, status, headers or {}
    return render_template("error.html", code=status, title=title, message=message), status, headers or {}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        log.warning("refused %s %s: %s", request.method, request.path, error.description)
        return respond(400, CSRF_MESSAGE, "csrf_failed")

    @app.errorhandler(SearchError)
    def search_error(error):
        return respond(error.status, "索引正在建立，请稍后再试" if error.status == 503 else None, error.code)

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code in (301, 302, 303, 307, 308):
            return error
        described = isinstance(error, SiteError)
        headers = dict(error.get_headers()) if error.code == 405 else {}
        headers.pop("Content-Type", None)
        return respond(error.code or 500, error.description if described else None, headers=headers)

    @app.errorhandler(InternalServerError)
    def server_error(error):
        return respond(500)
