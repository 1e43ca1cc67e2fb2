"""The application object: what a user does with a site (save, create, import, revert, delete,
search a page), usable without Flask. The web and the CLI call it and nothing below it."""
from kb.history import Author
from search.interface import Query

from .access import ANONYMOUS, Reader
from .site import NewArticle, Saved, SearchPage, Site

__all__ = ["Site", "NewArticle", "Saved", "SearchPage", "Query", "Author", "Reader", "ANONYMOUS"]
