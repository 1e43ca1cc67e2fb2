"""The ``kb`` command: what a user does from a terminal, through the application object."""
from .main import main

__all__ = ["main"]
