"""Blueprints: each translates HTTP to calls on kb (articles) and search (queries), nothing more."""
from flask import current_app


def kb():
    """The store, search service, index keeper and config of the running app."""
    return current_app.extensions["kb"]


def catalog():
    return kb()["store"].catalog()
