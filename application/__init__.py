"""The application object: what a user does with a site (save, create, import, revert, delete,
search a page), usable without Flask. The web and the CLI call it and nothing below it."""
from .site import Site

__all__ = ["Site"]
