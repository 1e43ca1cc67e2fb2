"""Who may see a media file: the images and files imported with an article (content/_media/,
served at ``/media/<name>``).

A media file belongs to the articles that show or link it (kb.links.media_names, kept with
each article and gathered once per catalog in ``Catalog.by_media``): whoever may read at least
one of them may see it, anyone else is told it does not exist (404, as for a restricted article
itself), so that an image of a 财务处 procedure is no more public than the procedure.

A file no article references any more is for editors only: it may be what is left of a
restricted article that was deleted or that dropped the image, and nobody can tell whose it
was; editors need it to use it again. (An old version of an article that showed it then loses
the image for readers.)

Whether a shared cache may keep the response follows the same rule for the least of readers:
only when an anonymous visitor may read a referencing article on a site that does not require
login; anything else is ``private``.
"""
from __future__ import annotations

from dataclasses import dataclass

from .access import ANONYMOUS, Reader


@dataclass(frozen=True)
class MediaVerdict:
    """What to do with a request for a media file that exists."""

    shown: bool  # False: answer as if it did not exist
    public: bool = False  # a shared cache may keep it (everyone may see it)


def media_verdict(site, name: str, reader: Reader) -> MediaVerdict:
    users = site.catalog().by_media.get(name, ())
    if not users:
        return MediaVerdict(reader.at_least("editor"))
    can_read = site.access.can_read
    if not any(can_read(a.meta, reader) for a in users):
        return MediaVerdict(False)
    public = not site.config.require_login and any(can_read(a.meta, ANONYMOUS) for a in users)
    return MediaVerdict(True, public)
