"""The site's icon, for browser tabs and bookmarks: ``favicon.svg`` (drawn for any size) and
``favicon.ico`` (the same drawing at 16, 32 and 48 px, for browsers and tools that ask for
``/favicon.ico`` whatever the page says). Every page used to get a 404 for it.

Both are cached for a week: an icon seldom changes, and browsers ask for it with every page.
"""
from flask import Blueprint, current_app, send_from_directory

bp = Blueprint("icons", __name__)

#: Seconds browsers may keep the icon without asking again.
MAX_AGE = 7 * 24 * 3600
ICONS = {"favicon.svg": "image/svg+xml", "favicon.ico": "image/vnd.microsoft.icon"}


@bp.get("/favicon.svg", defaults={"name": "favicon.svg"})
@bp.get("/favicon.ico", defaults={"name": "favicon.ico"})
def icon(name: str):
    return send_from_directory(current_app.static_folder, name, mimetype=ICONS[name], max_age=MAX_AGE)
