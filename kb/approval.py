"""Drafts waiting to be published, and their review: where they are kept and what is said of them.

A new article saved as a draft is an article file with ``status: draft``: the access rules keep
it from readers (application.access). A draft of a *change* to a published article must not
touch the published file — readers keep the published text until the change is published — so
it is kept in the drafts area of the content folder, ``_drafts/``, mirroring the article's path:

- ``_drafts/guides/travel.md``: the draft's text;
- ``_drafts/guides/travel.files/``: attachments the draft adds or replaces;
- ``_drafts/guides/travel.md.yaml``: its review (this module's ``Review``): the published
  version it started from, who saved it last, whether an approver sent it back and why, and
  the attachments it removes. A new article's draft has one too once it was saved or sent
  back through the draft workflow.

Why a folder in the content folder rather than a git branch or the instance folder: every
node that shares the content folder shares its drafts, every save of a draft is a commit by
its author (the history shows who wrote and who sent back what), and the store never reads
files under a folder starting with ``_`` (kb.store.is_content_file), so a draft is never
published, indexed or linked by accident. A branch would need a checkout per draft or
plumbing commands on every save, and drafts would not be files anyone can look at.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import yaml

from . import attachments

FOLDER = "_drafts"
WAITING, RETURNED = "waiting", "returned"
STATES = {WAITING: "待发布", RETURNED: "已退回"}


@dataclass(frozen=True)
class Review:
    """What is recorded of a draft besides its text."""

    base: str = ""  # digest of the published file the draft started from ("" for a new article)
    state: str = WAITING
    saved_by: str = ""
    saved_at: str = ""  # ISO time of the last save of the draft
    remove: tuple[str, ...] = ()  # attachments of the published article the draft removes
    comment: str = ""  # why an approver sent it back
    returned_by: str = ""
    returned_at: str = ""
    publish_as: str = ""  # a new article's status once published (试行 stays 试行); "" is 现行
    reconfirm: str = ""  # ASKED: a material change, everyone who must read it confirms again when published

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)

    def saved(self, by: str, base: str | None = None, remove: tuple[str, ...] | None = None) -> "Review":
        """The review after its author saved the draft again: waiting again, the comment kept
        for reference until the next return."""
        return replace(self, state=WAITING, saved_by=by, saved_at=_now(),
                       base=self.base if base is None else base, remove=self.remove if remove is None else remove)

    def returned(self, by: str, comment: str) -> "Review":
        return replace(self, state=RETURNED, comment=comment.strip(), returned_by=by, returned_at=_now())


ASKED = "asked"


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def text_path(article_rel: str) -> str:
    return f"{FOLDER}/{article_rel}"


def review_path(article_rel: str) -> str:
    return f"{FOLDER}/{article_rel}.yaml"


def files_path(article_rel: str) -> str:
    return f"{FOLDER}/{attachments.folder_of(article_rel)}"


def read_review(root: Path, article_rel: str) -> Review | None:
    """The review of the draft of ``article_rel``, or None; a record that cannot be read is
    taken as a fresh one (its text and history are still there)."""
    try:
        data = yaml.safe_load((Path(root) / review_path(article_rel)).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return Review()
    if not isinstance(data, dict):
        return Review()
    known = {k: v for k, v in data.items() if k in Review.__dataclass_fields__}
    known = {k: (tuple(str(x) for x in v) if k == "remove" and isinstance(v, list) else str(v or "")) for k, v in known.items()}
    return Review(**known)


def dump_review(article_rel: str, review: Review) -> str:
    data = {"article": article_rel, **asdict(review)}
    data["remove"] = list(review.remove)
    head = "# 草稿的审核记录：由网站维护（kb/approval.py）\n"
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@dataclass
class Draft:
    """A draft as the lists and the review page show it."""

    article_rel: str
    new: bool  # a new article (its file is the draft) rather than a change to a published one
    review: Review | None
    text: str | None = None  # the draft's text (a change's; a new article's is its file)
    digest: str | None = None  # of the draft's text file: what an approver looked at
    files: list = field(default_factory=list)  # attachments the draft adds (kb.attachments.Attachment)

    @property
    def returned(self) -> bool:
        return self.review is not None and self.review.state == RETURNED


def change_drafts(root: Path) -> list[str]:
    """Article paths with a draft of a change (a text in the drafts area)."""
    folder = Path(root) / FOLDER
    if not folder.is_dir():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.md") if p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))
