"""Which content folder a site serves: the one configured, or — when that folder lives inside
another git repository the site may not commit to (the bundled ``content/`` in the project's
repository) — a copy of it in the site's instance folder with a history of its own
(kb.workcopy). Every command that runs the site resolves the folder here, so that `kb serve`,
`kb new`, `kb import` and the index keeper all work on the same one."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from kb.config import Config
from kb.workcopy import FOLDER, needs_copy, prepare_copy


def served(config: Config, seed: bool = True) -> Config:
    """``config`` with the content folder the site serves. With ``seed``, the copy is made (or
    brought up to date with the folder it came from); without, an existing copy is used and
    none is made (a read-only look such as `kb check`)."""
    source = Path(config.content_dir)
    if not needs_copy(source, config.history_in_parent_repo):
        return config
    instance = config.instance_path
    copy = instance / FOLDER
    if seed:
        instance.mkdir(parents=True, exist_ok=True)
        ready = prepare_copy(source, copy)
    else:
        ready = (copy / ".git").is_dir()
    if not ready:
        return config
    # the instance and index folders stay where the configured folder puts them
    return dataclasses.replace(config, content_dir=copy, instance_dir=instance, index_dir=config.index_path)


def is_copy(config: Config) -> bool:
    return Path(config.content_dir) == config.instance_path / FOLDER
