"""Machine-readable ways in: Atom feed, sitemap, OpenSearch description."""
from flask import Blueprint, render_template

from kb import browse
from kb.check import CONTROL_CHARS

from . import catalog, site

bp = Blueprint("feeds", __name__)


def _xml_text(value) -> str:
    """Text XML 1.0 can carry: loading strips control characters from fields already, this
    keeps a feed readable whatever reaches it."""
    return CONTROL_CHARS.sub("", str(value))


def xml_response(template: str, mimetype: str, **context):
    """Links in feeds are to the configured public address (web.security), never the Host header."""
    return (render_template(template, base=site().config.site_url, xml_text=_xml_text, **context), 200,
            {"Content-Type": mimetype})


@bp.get("/feed.atom")
def atom():
    articles = browse.recent(catalog().articles, 50)
    return xml_response("feed.atom.xml", "application/atom+xml; charset=utf-8", articles=articles)


@bp.get("/sitemap.xml")
def sitemap():
    return xml_response("sitemap.xml", "application/xml; charset=utf-8", articles=catalog().articles, paths=catalog().paths)


@bp.get("/opensearch.xml")
def opensearch():
    return xml_response("opensearch.xml", "application/opensearchdescription+xml; charset=utf-8")
