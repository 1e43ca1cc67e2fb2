"""HTTP hygiene: which Host a request may name, the headers every response carries, and the
site's public address.

- **Host.** A request whose Host header names another site is refused (400): a page on an
  attacker's domain that re-points its DNS name at this server (DNS rebinding) could otherwise
  read and post to the site from a colleague's browser. Allowed are the localhost names, any
  IP address (rebinding needs a domain name), the host the site listens on, the host of
  ``public_url``, the machine's own name and ``allowed_hosts``.
- **Public address.** Links that leave the page — the Atom feed, the sitemap, OpenSearch,
  canonical links, the printed address — are built from ``Config.site_url``, never from the
  Host header, so that no request can plant another host in them (or in a cache).
- **Headers.** A Content-Security-Policy that runs only the site's own scripts and styles
  (tests/browser/test_csp.py walks every page type under it), no framing, no MIME sniffing,
  and no Referer with internal addresses sent to other sites.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import Flask, request

from kb.config import Config

from .errors import respond

LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
BAD_HOST = "请求的主机名“{host}”不是本站的地址，已拒绝。请用本站的地址访问；管理员可以把这个名字加入设置项 allowed_hosts。"


def content_security_policy(config: Config) -> str:
    images = " ".join(f"https://{h} http://{h}" for h in config.image_hosts)
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src 'self' data:{' ' + images if images else ''}; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")


def allowed_hosts(config: Config) -> frozenset[str] | None:
    """Host names (lower case, no port) a request may carry; None when any is allowed."""
    if "*" in config.allowed_hosts:
        return None
    names = {*LOCAL_NAMES, config.host, *config.allowed_hosts}
    if config.public_url:
        names.add(urlsplit(config.public_url).hostname or "")
    if config.host in ("0.0.0.0", "::", ""):  # every interface: the machine's own names too
        names |= {socket.gethostname(), socket.getfqdn()}
    return frozenset(n.lower().strip("[]") for n in names if n)


def host_name(host: str) -> str:
    """``Host`` without its port, lower case; IPv6 without brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() and ":" not in name else host


def is_allowed(host: str, allowed: frozenset[str] | None) -> bool:
    name = host_name(host)
    if allowed is None or name in allowed or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def init_app(app: Flask, config: Config) -> None:
    allowed = allowed_hosts(config)
    headers = {
        "Content-Security-Policy": content_security_policy(config),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }

    @app.before_request
    def refuse_foreign_hosts():
        host = request.headers.get("Host", "")
        if not host or is_allowed(host, allowed):
            return None
        return respond(400, BAD_HOST.format(host=host[:100]), "bad_host")

    @app.after_request
    def hygiene_headers(response):
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    @app.context_processor
    def public_address():
        return {"site_url": config.site_url}
