"""Drafts, approval and attachments: the editor's save as a user means it.

An editor saves either to publish or as a draft (kb.approval says where drafts are kept). With
``require_approval`` only an approver (or an admin) publishes: an editor's 「发布」 is kept as a
draft instead, and says so. An approver sees the draft against the published text word by word
and publishes it or sends it back with a comment; both are commits by their author, and the
draft's text stays where it is in between — nothing typed is lost, and readers see the published
version until the draft is published.

Publishing, like every change of an article, ends in ``Site.save`` (check, lock, write, commit,
index once, tell the workers): the draft's files are moved and removed inside that save's lock
and committed with it (``also``). Attachments (kb.attachments) ride on the same saves: given
with a save they are written beside the article in its commit, or, for a draft of a change,
beside the draft until it is published.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from kb import approval, attachments
from kb.approval import ASKED, Draft, Review
from kb.fields import LIFECYCLE
from kb.article import Article, Problem
from kb.frontmatter import FrontMatterError, parse, with_field
from kb.history import Author
from kb.saving import CHANGED_MEANWHILE, save_text

from .access import Reader

if TYPE_CHECKING:
    from .site import Saved, Site

log = logging.getLogger(__name__)

PUBLISH, DRAFT = "publish", "draft"
NEEDS_APPROVAL = "本站的文章要经审核人发布：已保存为草稿，读者仍看到原来的版本。审核人会在「草稿」页看到它。"
BASE_MOVED = ("这份草稿开始以后，已发布的版本又被修改过。为了不丢掉那次修改，没有发布：请编辑草稿，"
              "把那次修改合并进去（可在修改历史里比较）再发布。草稿仍在。")
DRAFT_MOVED = "这份草稿在您查看之后又被修改过，没有操作。请重新打开草稿看过再操作。"


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha1(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _is_draft_text(text: str) -> bool:
    try:
        return str(parse(text).meta.get("status", "")).strip() in ("draft", "草稿")
    except FrontMatterError:
        return False


class Publishing:
    def __init__(self, site: "Site"):
        self.site = site

    @property
    def root(self) -> Path:
        return self.site.store.root

    # --- who and what ------------------------------------------------------------------------

    def may_publish(self, reader: Reader) -> bool:
        """Editors publish unless the site requires approval; approvers and admins always."""
        return reader.at_least("approver") or (reader.at_least("editor") and not self.site.config.require_approval)

    def draft_of(self, article: Article) -> Draft | None:
        """The draft of ``article``: a change waiting in the drafts area, or the article itself
        while it is a new draft (``status: draft``); None when it has none."""
        rel = article.rel_path
        review = approval.read_review(self.root, rel)
        path = self.root / approval.text_path(rel)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raw = None
        if raw is not None:
            staged = attachments.listing(self.root, approval.text_path(rel))
            return Draft(rel, False, review or Review(), raw.decode("utf-8", "replace"),
                         hashlib.sha1(raw).hexdigest(), staged)
        if article.meta.get("status") == "draft":
            return Draft(rel, True, review, digest=article.digest)
        return None

    def drafts(self, catalog) -> list[tuple[Article, Draft]]:
        """Every draft of the articles in ``catalog`` (as the asking editor sees it), those sent
        back first, then by the time they were saved, newest first."""
        found = []
        for rel in approval.change_drafts(self.root):
            article = catalog.by_path.get(rel)
            if article is not None:
                found.append((article, self.draft_of(article)))
        for article in catalog.articles:
            if article.meta.get("status") == "draft":
                found.append((article, self.draft_of(article)))
        found = [(a, d) for a, d in found if d is not None]
        found.sort(key=lambda pair: (not pair[1].returned, -(_stamp(pair[1]))))
        return found

    def attachments_of(self, article: Article) -> list[attachments.Attachment]:
        return attachments.listing(self.root, article.rel_path)

    # --- the editor's save -------------------------------------------------------------------

    def edit(self, article: Article, text: str, opened: str, action: str, author: Author, reader: Reader,
             message: str, uploads: list[attachments.Upload] = (), remove: tuple[str, ...] = (),
             reconfirm: bool = False) -> "Saved":
        """The editor's save of ``article``: published (``action`` "publish", when ``reader``
        may) or kept as a draft. ``opened`` is the digest of what the editor opened: the
        draft when there is one, else the published file. ``reconfirm``: a material change that
        everyone who must read the article confirms again once it is published (application.reading)."""
        draft = self.draft_of(article)
        existing = [a.name for a in self.attachments_of(article)] + [a.name for a in (draft.files if draft else [])]
        uploads, problems = attachments.check_uploads(list(uploads), [n for n in existing if n not in remove],
                                                      article.rel_path, self.site.config.max_attachment_bytes,
                                                      self.site.config.max_attachments)
        if problems:
            return self._refused(problems, opened)
        if action == PUBLISH and self.may_publish(reader):
            return self._publish(article, draft, text, opened, author, message, uploads, remove, reconfirm)
        saved = self._save_draft(article, draft, text, opened, author, message, uploads, remove, reconfirm)
        if saved.done and action == PUBLISH:
            saved.problems.append(Problem(article.rel_path, NEEDS_APPROVAL, severity="warning"))
        return saved

    def publish(self, article: Article, draft_digest: str, author: Author, reader: Reader, message: str = "") -> "Saved":
        """Publish the draft of ``article`` as the approver saw it (``draft_digest``)."""
        if not self.may_publish(reader):
            return self._refused([Problem(article.rel_path, "只有审核人或管理员可以发布草稿")], draft_digest)
        draft = self.draft_of(article)
        if draft is None:
            return self._refused([Problem(article.rel_path, "这篇文章没有草稿（可能刚被发布或丢弃）")], draft_digest)
        if draft.digest != draft_digest:
            return self._refused([Problem(article.rel_path, DRAFT_MOVED)], draft.digest, conflict=True)
        text = article.path.read_text(encoding="utf-8") if draft.new else draft.text
        return self._publish(article, draft, text, draft.digest, author, message or f"发布 {article.title}", [], ())

    def revert(self, article: Article, rev: str, digest: str, author: Author, reader: Reader, message: str = "",
               reconfirm: bool = False) -> "Saved":
        """「恢复到这一版」: published at once by those who may publish, else kept as a draft;
        ``reconfirm`` as for an edit (asked at once, or when the draft is published)."""
        if self.may_publish(reader):
            return self.site.revert(article, rev, digest, author, message, reconfirm=reconfirm)
        found = self.site.history.version(rev, article.rel_path)
        if found is None:
            return self._refused([Problem(article.rel_path, f"没有找到版本 {rev}")], digest)
        change, text = found
        message = message.strip() or f"恢复到 {change.when:%Y-%m-%d %H:%M} {change.author} 的版本（{change.short}）"
        return self._save_draft(article, self.draft_of(article), text, digest, author, message, [], (), reconfirm)

    def send_back(self, article: Article, draft_digest: str, author: Author, reader: Reader, comment: str) -> "Saved":
        """Send the draft back to its author with ``comment``: a commit of its review record."""
        from .site import Saved

        rel = article.rel_path
        if not reader.at_least("approver"):
            return self._refused([Problem(rel, "只有审核人或管理员可以退回草稿")], draft_digest)
        if not comment.strip():
            return self._refused([Problem(rel, "请写明退回的原因，作者要据此修改")], draft_digest)
        draft = self.draft_of(article)
        if draft is None or draft.digest != draft_digest:
            return self._refused([Problem(rel, DRAFT_MOVED)], draft.digest if draft else None, conflict=True)
        review = (draft.review or Review()).returned(author.name, comment)
        path = approval.review_path(rel)
        message = f"退回草稿 {article.title}：{comment.strip()[:200]}"
        result = save_text(self.root, path, approval.dump_review(rel, review), _digest(self.root / path),
                           lambda _: [], record=lambda: self.site.history.commit([path], author.name, author.email, message))
        saved = Saved(article, result.problems, result.conflict, draft.digest, result.revision, result.history_error,
                      done=result.saved, draft=True)
        if saved.done:
            self.site.follow_changes()
        return saved

    def discard(self, article: Article, draft_digest: str, author: Author) -> "Saved":
        """Throw away the draft of a change (its text, review and attachments): one commit, so
        the history still has it."""
        from .site import Saved

        rel = article.rel_path
        draft = self.draft_of(article)
        if draft is None or draft.new or draft.digest != draft_digest:
            return self._refused([Problem(rel, DRAFT_MOVED)], draft.digest if draft else None, conflict=True)
        paths = self._remove_draft_files(rel)
        revision = self.site.history.commit(paths, author.name, author.email, f"丢弃草稿 {article.title}")
        return Saved(article, [], revision=revision, done=True, draft=True)

    # --- the two ways a save goes -----------------------------------------------------------

    def _refused(self, problems: list[Problem], digest: str | None, conflict: bool = False) -> "Saved":
        from .site import Saved

        return Saved(None, problems, conflict=conflict, digest=digest)

    def _publish(self, article: Article, draft: Draft | None, text: str, opened: str, author: Author, message: str,
                 uploads: list[attachments.Upload], remove: tuple[str, ...], reconfirm: bool = False) -> "Saved":
        rel = article.rel_path
        base = opened
        if draft is not None and not draft.new:
            if opened != draft.digest:
                return self._refused([Problem(rel, DRAFT_MOVED)], draft.digest, conflict=True)
            base = draft.review.base or article.digest
            if base != article.digest:
                return self._refused([Problem(rel, BASE_MOVED)], draft.digest, conflict=True)
        if _is_draft_text(text):  # publishing a new article puts it in force, as what its author chose
            chosen = draft.review.publish_as if draft is not None and draft.review is not None else ""
            text = with_field(text, "status", chosen or "current")

        def also() -> list[str]:
            paths = []
            if draft is not None and not draft.new:  # the draft's own changes of the files first
                paths += self._apply_files(rel, attachments.folder_of(rel), [], draft.review.remove)
                paths += self._move_staged(rel)
            paths += self._apply_files(rel, attachments.folder_of(rel), uploads, remove)
            if draft is not None:
                paths += self._remove_draft_files(rel)
            return paths

        asked = draft is not None and draft.review is not None and draft.review.reconfirm == ASKED
        return self.site.save(rel, text, base, author, message or f"修改 {article.title}", also=also,
                              reconfirm=reconfirm or asked)

    def _save_draft(self, article: Article, draft: Draft | None, text: str, opened: str, author: Author, message: str,
                    uploads: list[attachments.Upload], remove: tuple[str, ...], reconfirm: bool = False) -> "Saved":
        rel = article.rel_path
        message = message or f"草稿：{article.title}"
        if article.meta.get("status") == "draft" and (draft is None or draft.new):
            return self._save_new_draft(article, draft, text, opened, author, message, uploads, remove)
        from .site import Saved

        if draft is None and opened != article.digest:
            return self._refused([Problem(rel, CHANGED_MEANWHILE)], article.digest, conflict=True)
        staged = {a.name for a in (draft.files if draft else [])}
        removed = (set(draft.review.remove if draft else ()) | (set(remove) - staged)) - {u.name for u in uploads}
        review = (draft.review if draft else Review()).saved(author.name, base=None if draft else article.digest,
                                                             remove=tuple(sorted(removed)))
        if reconfirm:  # asked of the draft: everyone confirms again once it is published
            review = replace(review, reconfirm=ASKED)
        path = approval.text_path(rel)

        def check(candidate: str) -> list[Problem]:
            return self.site.check_text(rel, candidate)[1]

        def record() -> str | None:
            paths = [path, approval.review_path(rel)]
            (self.root / approval.review_path(rel)).write_text(approval.dump_review(rel, review), encoding="utf-8")
            paths += self._apply_files(rel, approval.files_path(rel), uploads, tuple(set(remove) & staged))
            return self.site.history.commit(paths, author.name, author.email, message)

        result = save_text(self.root, path, text, draft.digest if draft else None, check, record=record)
        return Saved(article, result.problems, result.conflict, result.digest, result.revision, result.history_error,
                     done=result.saved, draft=True)

    def _save_new_draft(self, article, draft, text, opened, author, message, uploads, remove) -> "Saved":
        """A new article stays a draft: its own file, ``status: draft``; the status the form chose
        (试行, say) is kept in its review record and given back when it is published."""
        rel = article.rel_path
        review = _publishing_as(((draft.review if draft else None) or Review()).saved(author.name), text)

        def also() -> list[str]:
            path = self.root / approval.review_path(rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(approval.dump_review(rel, review), encoding="utf-8")
            return [approval.review_path(rel)] + self._apply_files(rel, attachments.folder_of(rel), uploads, remove)

        saved = self.site.save(rel, with_field(text, "status", "draft"), opened, author, message, also=also)
        saved.draft = True
        return saved

    def new_draft_record(self, rel: str, author: Author, chosen: str) -> "Callable[[], list[str]]":
        """The ``also`` of a new article saved as a draft (Site.create): its review record, which
        keeps the status its author chose (试行 stays 试行 when an approver publishes it)."""
        review = Review().saved(author.name)
        if _status_value(chosen) not in ("", "draft", "current"):
            review = replace(review, publish_as=_status_value(chosen))

        def also() -> list[str]:
            path = self.root / approval.review_path(rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(approval.dump_review(rel, review), encoding="utf-8")
            return [approval.review_path(rel)]

        return also

    # --- files ---------------------------------------------------------------------------------

    def remove_attachments(self, rel: str) -> list[str]:
        """Remove an article's attachments (it is being deleted, in this commit): the paths gone."""
        gone = [a.rel_path for a in attachments.listing(self.root, rel)]
        shutil.rmtree(self.root / attachments.folder_of(rel), ignore_errors=True)
        return gone

    def _apply_files(self, rel: str, folder: str, uploads, remove) -> list[str]:
        """Write ``uploads`` into ``folder`` and remove the attachments named in ``remove``;
        the paths changed, for the commit."""
        target = self.root / folder
        paths = []
        for name in remove:
            if "/" in name or name.startswith(".") or not name:
                continue
            (target / name).unlink(missing_ok=True)
            paths.append(f"{folder}/{name}")
        for upload in uploads:
            attachments.write(target, upload)
            paths.append(f"{folder}/{upload.name}")
        _remove_if_empty(target)
        return paths

    def _move_staged(self, rel: str) -> list[str]:
        """A published draft's attachments, moved beside the article."""
        staged = self.root / approval.files_path(rel)
        target = self.root / attachments.folder_of(rel)
        paths = []
        for a in attachments.listing(self.root, approval.text_path(rel)):
            target.mkdir(parents=True, exist_ok=True)
            os.replace(staged / a.name, target / a.name)
            paths += [a.rel_path, f"{attachments.folder_of(rel)}/{a.name}"]  # from the drafts area to the article
        return paths

    def _remove_draft_files(self, rel: str) -> list[str]:
        staged = [a.rel_path for a in attachments.listing(self.root, approval.text_path(rel))]
        paths = [approval.text_path(rel), approval.review_path(rel), *staged]
        (self.root / paths[0]).unlink(missing_ok=True)
        (self.root / paths[1]).unlink(missing_ok=True)
        shutil.rmtree(self.root / approval.files_path(rel), ignore_errors=True)
        folder = (self.root / paths[0]).parent
        while folder != self.root and folder.name and _remove_if_empty(folder):
            folder = folder.parent
        return paths


def _remove_if_empty(folder: Path) -> bool:
    try:
        folder.rmdir()
        return True
    except OSError:
        return False


def _stamp(draft: Draft) -> float:
    import datetime as dt

    at = (draft.review.saved_at if draft.review else "") or ""
    try:
        return dt.datetime.fromisoformat(at).timestamp()
    except ValueError:
        return 0.0


def _status_value(value) -> str:
    """A status as the registry keeps it: 试行 and trial are both ``trial``."""
    text = str(value or "").strip()
    return next((key for key, label in LIFECYCLE.items() if text in (key, label)), text)


def _publishing_as(review: Review, text: str) -> Review:
    """``review`` keeping the status a new draft's text names for its publication (not 草稿)."""
    try:
        chosen = _status_value(parse(text).meta.get("status"))
    except FrontMatterError:
        return review
    return replace(review, publish_as=chosen) if chosen not in ("", "draft", "current") else review
