"""The one application object: a site's config, content store, search engine, index keeper,
accounts, query log and history, built once, and the things a user does with them — save,
create, import, revert and delete an article, save the synonyms list, search a page — each
one path through the code (datasette's ``Datasette`` object, with the use cases on it).

The web views and the CLI translate their input into these calls and the outcome into pages,
JSON or lines of text; nothing below this layer calls back up. Every change of an article goes
through ``_change``: checked, locked, written, committed to the history (where it is kept),
indexed once, and the site's other workers told.

Building a Site opens nothing and starts nothing: the search index is opened at first use,
the accounts database at first query, and the keeper only when someone calls
``start_keeper`` (``kb serve --debug``, tests; ``kb serve`` runs it as a process of its own).
``prepare`` does the first-start work (instance folder, secret key, git repository) once,
before a server starts its workers.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from kb import lifecycle
from kb import addresses as address_registry
from kb import removed as removals
from kb.analytics import Analytics
from kb.article import Article, Problem
from kb.config import Config, SettingError, load_config
from kb.database import CONTENT_CHANNEL, notify, open_database, site_secret
from kb.defaults import slug_from_name
from kb.frontmatter import dump, with_field
from kb.doclinks import DocumentError, links_in
from kb.drafts import DraftMedia
from kb.fields import EVERYONE
from kb.history import Author, History, RemoteConflict
from kb.remote import Remote, RemoteError, RemoteStatus
from kb.importing import IMPORT_FOLDER, Draft, import_document, import_folder, import_path
from kb.linkcheck import LinkChecker, LinkReport
from kb.progress import Progress
from kb.saving import SaveResult, TextSaveResult, delete_article, save_article, save_text, sweep_unfinished
from kb.store import Catalog, ContentStore, load_article, load_catalog, parse_article
from kb.synonyms import FILE as SYNONYMS
from kb.people import People
from kb.users import Users
from search.interface import IndexUnavailable, Query, Scope, SearchError, SearchResult, open_engine

from . import addresses, paths
from .access import ANONYMOUS, Access, Reader
from .changes import ChangesView
from .feedback import FeedbackDesk
from .folder_defaults import FolderSettings
from .following import Following
from .login import authenticate
from .media import MediaVerdict, media_verdict
from .publishing import Publishing
from .reading import Reading
from .health import Health, site_health
from .keeper import content_changed, content_stamp, keeper_status
from .lifecycle import LifecycleCases

log = logging.getLogger(__name__)

SECRET_FILE = "secret_key"


@dataclass
class Saved:
    """What became of a change to an article: the article as saved (None when nothing was
    written, or when it was deleted), the problems found, and what did not follow the write."""

    article: Article | None
    problems: list[Problem] = field(default_factory=list)
    conflict: bool = False  # changed (or created) by someone else since the editor opened it
    digest: str | None = None  # the file's digest on disk now, for the editor's next try
    revision: str | None = None  # the history's commit of this change
    history_error: str | None = None  # written, but the history could not record it
    index_error: str | None = None  # written, but search could not take it yet
    sync_error: str | None = None  # committed here, but the shared content repository could not take it yet
    done: bool = False
    draft: bool = False  # kept as a draft: readers still see the published text (application.publishing)
    notes: list[str] = field(default_factory=list)  # what the editor should know besides (addresses kept)

    @property
    def warnings(self) -> list[str]:
        """What the editor should be told after a change that stands."""
        out = []
        if self.history_error:
            out.append(f"没有记入修改历史（git 出错：{self.history_error}）。请告诉管理员。")
        if self.index_error:
            out.append(f"搜索索引暂时无法更新（{self.index_error}），这篇文章暂时搜不到；索引恢复后会自动补上。")
        if self.sync_error:
            out.append(f"已保存在这台服务器上，但暂时无法同步到共享的内容仓库（{self.sync_error}），其他服务器暂时看不到这次修改；"
                       f"连接恢复后会自动同步。")
        return out

    @classmethod
    def of(cls, result: SaveResult) -> "Saved":
        return cls(result.article, result.problems, result.conflict, result.digest, result.revision,
                   result.history_error, done=result.article is not None)


@dataclass
class SearchPage:
    """A search as staff see it: the results, and when they are empty, a correction and the
    partial matches; ``token`` ties the opened results to the query log."""

    query: Query
    result: SearchResult | None = None
    partial: SearchResult | None = None
    suggestion: str | None = None
    unavailable: bool = False
    token: str | None = None
    repealed: int = 0  # repealed articles that match too, left out because no status was asked for

    def to_json(self) -> dict:
        """What ``/api/search`` and ``kb search --json`` print: the results' contract
        (search.results), and for a search that found nothing its correction (``suggestion``)
        and partial matches (``partial``)."""
        q = self.query
        data = (self.result or SearchResult.empty(q.text, q.page, q.limit)).to_json()
        if self.suggestion and "suggestion" not in data:
            data["suggestion"] = self.suggestion
        if self.partial is not None and self.partial.hits:
            data["partial"] = [h.to_json() for h in self.partial.hits]
        if self.repealed:
            data["repealed_hidden"] = self.repealed  # shown with 状态:废止 (or status=repealed)
        return data


@dataclass(frozen=True)
class NewArticle:
    """The fields of the 「新建」 form and of `kb new`."""

    title: str
    slug: str = ""  # "" for one made from the title (会议纪要 -> hui-yi-ji-yao)
    type: str = "guide"
    category: str = ""
    tags: tuple[str, ...] = ()
    summary: str = ""
    body: str = ""
    folder: str = ""  # "" for checklists/ or guides/ by type
    extra: Mapping[str, object] = field(default_factory=dict)  # other fields of the registry (kb.form)

    @property
    def home(self) -> str:
        """The folder its file goes into: ``folder``, else the one of its type."""
        return self.folder.strip("/") or ("checklists" if self.type == "checklist" else "guides")


class Site(LifecycleCases):
    def __init__(self, config: Config | dict | None = None):
        if not isinstance(config, Config):
            config = load_config(**(config or {}))
        self.config = config
        self.store = ContentStore(Path(config.content_dir), max_article_bytes=config.max_article_bytes, light=True,
                                  source=self._indexed)
        self.history = History(Path(config.content_dir), commit_in_parent=config.history_in_parent_repo)
        # several machines, one content: the folder is a clone of a shared repository (kb.remote)
        self.remote = Remote(self.history, config.content_remote, config.content_branch, config.instance_path) \
            if config.content_remote else None
        self._exchange = threading.local()  # what a save's push brought from other nodes
        self._search = None
        self._database = None
        self._users: Users | None = None
        self._analytics: Analytics | None = None
        self._progress: Progress | None = None
        self._people: People | None = None
        self._tables: dict[type, object] = {}
        self.keeper = None
        self.access = Access()
        self.publishing = Publishing(self)  # drafts, approval and attachments (application.publishing)
        self.reading = Reading(self)  # read and confirm (application.reading)
        self.feedback = FeedbackDesk(self)  # what readers tell an article's owner (application.feedback)
        self.following = Following(self)  # articles, categories and paths people follow (application.following)
        self.folder_settings = FolderSettings(self)  # a folder's readers and required_for (application.folder_defaults)
        self._lock = threading.Lock()
        self._repealed_known: tuple[tuple, bool] | None = None  # (content stamp, scope) -> any repealed
        self._folder_look = addresses.FolderLook(self.store, self.history)

    # --- the parts ------------------------------------------------------------------------------

    @property
    def search(self):
        """The search engine over this node's index (search.interface.SearchEngine)."""
        with self._lock:
            if self._search is None:
                self._search = open_engine(self.config)
            return self._search

    def _indexed(self):
        """The articles kept with the search index's current version (the store opens its
        catalog from them instead of reading every file), or None before there is an index."""
        try:
            return self.search.indexed_articles()
        except (SearchError, OSError):
            log.exception("cannot open the articles kept with the index; reading the folder")
            return None

    def _engine(self):
        """The site's database (kb.database), shared by accounts and the query log; call with
        the lock held."""
        if self._database is None:
            self.config.instance_path.mkdir(parents=True, exist_ok=True)
            self._database = open_database(self.config.database)
        return self._database

    @property
    def users(self) -> Users:
        with self._lock:
            if self._users is None:
                self._users = Users(self._engine())
            return self._users

    def tables(self, kind):
        """The site's one instance of ``kind`` (a kb.database.Tables: confirmations, feedback,
        follows) over its database."""
        with self._lock:
            found = self._tables.get(kind)
            if found is None:
                found = self._tables[kind] = kind(self._engine())
            return found

    @property
    def people(self) -> People:
        """Groups, memberships and e-mail addresses of the accounts (kb.people)."""
        with self._lock:
            if self._people is None:
                self._people = People(self._engine())
            return self._people

    def authenticate(self, name: str, password: str):
        """The account ``name`` logs in as with ``password``, or None (application.login: a
        local password, else the directory's). Raises kb.directory.DirectoryError."""
        return authenticate(self, name, password)

    def reader_for(self, user) -> Reader:
        """The Reader an account (kb.users.User) is to the access rules: its role and groups."""
        if user is None:
            return ANONYMOUS
        return Reader(user.name, user.role, self.people.groups_of(user.name))

    @property
    def analytics(self) -> Analytics:
        """The query log (kb.analytics); records nothing when ``analytics`` is off."""
        with self._lock:
            if self._analytics is None:
                c = self.config
                self._analytics = Analytics(self._engine(), c.analytics_retention_days, c.analytics_record_ip,
                                            enabled=c.analytics)
            return self._analytics

    def catalog(self):
        """Every article of the folder: for the site's own work (indexing, checks), not for
        showing to a reader (``catalog_for``)."""
        return self.store.catalog()

    def catalog_for(self, reader: Reader = ANONYMOUS):
        """The articles ``reader`` may see (application.access): what every page, list, feed and
        lookup shows them."""
        return self.access.catalog_for(self.store.catalog(), reader)

    def scope(self, reader: Reader = ANONYMOUS, query: Query | None = None) -> Scope:
        """What a search shows ``reader``: what they may see (application.access), less the
        repealed articles (kb.lifecycle) unless ``query`` asks for a status itself (状态:废止,
        状态:全部) — one scope for every engine and every way in (search page, API, `kb search`,
        suggestions), applied before counting."""
        scope = self.access.scope(reader)
        return scope if query is not None and query.names("status") else scope.hiding(lifecycle.HIDDEN_BY_DEFAULT)

    def changes_for(self, reader: Reader = ANONYMOUS, limit: int = 50) -> list[tuple]:
        """The content folder's recent changes as ``reader`` may know them (application.changes):
        (change, the articles it touched that they may see, its paths they may know of)."""
        return ChangesView(self, reader).recent(limit)

    def history_for(self, article: Article, reader: Reader = ANONYMOUS, limit: int = 200):
        """An article's changes as ``reader`` may know them (application.changes)."""
        return ChangesView(self, reader).of_article(article, limit)

    def version_for(self, article: Article, rev: str, reader: Reader = ANONYMOUS):
        """(change, text) of an article at ``rev`` as ``reader`` may know it, or None."""
        return ChangesView(self, reader).version(article, rev)

    def media_verdict(self, name: str, reader: Reader = ANONYMOUS) -> MediaVerdict:
        """Whether ``reader`` may see the media file ``name`` and whether a shared cache may keep
        it (application.media: whoever may read an article that shows it)."""
        return media_verdict(self, name, reader)

    def suggest(self, text: str, reader: Reader = ANONYMOUS, limit: int = 8):
        """Titles, headings and tags for what is being typed, of what ``reader`` may see (not
        repealed articles: a suggestion is a result chosen before reading it)."""
        return self.search.suggest(text, limit, self.scope(reader))

    # --- starting and stopping ------------------------------------------------------------------

    def prepare(self) -> None:
        """First-start work, done once before serving: the instance folder, the secret key
        and the content folder's git repository."""
        self.config.instance_path.mkdir(parents=True, exist_ok=True)
        self.secret_key()
        sweep_unfinished(self.store.root)  # saves a kill cut short left their temporary files
        DraftMedia(self.config.draft_media_path).sweep()  # images of imports abandoned before the restart
        if self.remote is None:
            self.history.prepare()  # also heals what a crash left in the history (kb.history)
            return
        try:
            self.remote.prepare()  # a clone of the shared content repository, up to date
        except RemoteError as exc:
            raise SettingError(f"设置 content_remote：{exc}") from None
        # what it pushed (saves a kill left unpushed, files written and not committed): the other
        # nodes take it now, not at their next regular look
        self._told(self.remote.shared_head())

    def secret_key(self) -> str:
        """The configured key, else the one kept in the site's database when it has one of its
        own (``database_url``: every machine behind one site signs alike), else the one in the
        instance folder (created on first start): sessions and open forms survive restarts, and
        every worker signs alike."""
        if self.config.secret_key:
            return self.config.secret_key
        if self.config.database_url:  # a database of its own: several machines may share it, and the key
            with self._lock:
                return site_secret(self._engine(), lambda: secrets.token_hex(32))
        path = self.config.instance_path / SECRET_FILE
        try:
            return path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{SECRET_FILE}.{os.getpid()}.{threading.get_ident()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # fails if another process made one first: theirs is kept
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        return path.read_text(encoding="ascii").strip()

    def keeper_for(self):
        """An index keeper for this site (application.keeper), not started."""
        from .keeper import IndexKeeper

        keeper = IndexKeeper(self.search, self.store, self.config.instance_path, after=self.record_addresses)
        if self.remote is not None:
            keeper.follow(self.sync, self.config.sync_seconds, self._listen)
        return keeper

    def start_keeper(self, thread: bool = True):
        """Keep the index current from this process (a thread by default)."""
        if self.keeper is None:
            self.keeper = self.keeper_for()
            self.keeper.start(thread=thread)
        return self.keeper

    def warm(self) -> None:
        """Open what every worker needs before the server forks them, so that they share it
        (web.server): the index's current version with its lookups, jieba's tables and, when an
        index is there, the catalog kept with it. Without an index nothing is read here: the
        keeper builds one, and each worker reads the folder meanwhile."""
        engine = self.search
        if engine.ready():
            engine.warm()
            self.store.catalog()

    def after_fork(self) -> None:
        """In a process just forked from the one that built this site: connections of its own
        (SQLAlchemy's advice: the pool's connections stay with the parent)."""
        if self._database is not None:
            self._database.dispose(close=False)

    def close(self) -> None:
        if self.keeper is not None:
            self.keeper.stop()
        if self._search is not None:
            self._search.close()
        if self._analytics is not None:
            self._analytics.flush()
        if self._database is not None:
            self._database.dispose()

    # --- what other processes did ------------------------------------------------------------

    def changes_stamp(self) -> int:
        """Changes whenever this site's content changed in another process (a save by another
        worker, a file the keeper saw): compare before answering, and ``follow_changes``."""
        return content_stamp(self.config.instance_path, self.config.content_dir)

    def follow_changes(self) -> None:
        """Another process changed the content (application.keeper's marker): it indexed what
        it changed first, so the catalog opens again from the index, without a look at the
        folder (``store.invalidate`` is that look: an edit by hand, with no keeper running)."""
        self.store.reopen()

    def health(self) -> Health:
        """Whether the site can search and how current its index is (/healthz, the banner)."""
        remote = None
        if self.remote is not None:
            status = RemoteStatus.read(self.config.instance_path)
            remote = status.problem if status is not None else None
        return site_health(self.search.health(), keeper_status(self.config.instance_path), self.history.trouble(),
                           remote=remote)

    # --- several machines, one content (kb.remote) ----------------------------------------------

    def sync(self) -> list[str]:
        """Take the other nodes' saves from the shared repository and push this node's (the
        keeper, every ``sync_seconds`` and when told): the files that changed here."""
        synced = self.remote.sync()
        if synced.pushed:
            self._told(synced.pushed)
        return synced.changed

    def commit(self, paths: list[str], author: Author, message: str) -> str | None:
        """Record a change in the history and, on a node of several, push it to the shared
        repository (with the history's lock held since the file was compared: kb.remote).
        RemoteConflict when another node saved the same file first."""
        began = time.perf_counter()
        revision = self.history.commit(paths, author.name, author.email, message)
        if self.remote is None:
            return revision
        committed = time.perf_counter()
        try:
            synced = self.remote.publish(paths)
        except RemoteError as exc:
            self._exchange.error = str(exc)  # the save stands here; the keeper pushes it later
            return revision
        except RemoteConflict as exc:
            self._exchange.changed = exc.changed  # the other node's version, indexed now
            raise
        pushed = time.perf_counter()
        self._exchange.changed = synced.changed
        self._told(synced.pushed)
        log.info("save of %s: commit %.2fs, push %.2fs, notify %.2fs", paths[0], committed - began, pushed - committed,
                 time.perf_counter() - pushed)
        return synced.pushed or revision

    def _guard(self):
        """Held by a save from comparing the file to pushing it, on a node of several: the keeper
        cannot bring another node's version of the file in between."""
        return self.history.locked() if self.remote is not None else contextlib.nullcontext()

    def _told(self, commit: str | None) -> None:
        """Tell the other nodes that the shared repository has a new commit (PostgreSQL NOTIFY;
        without it they find it within ``sync_seconds``)."""
        if not commit:
            return
        try:
            with self._lock:
                engine = self._engine()
            notify(engine, CONTENT_CHANNEL, commit)
        except Exception:  # noqa: BLE001 — the others still find it at their next look
            log.exception("could not tell the other nodes about %s", commit)

    def _listen(self, heard, stop) -> None:
        """Call ``heard`` whenever another node says it pushed (the keeper's thread)."""
        from kb.database import listen, shared

        with self._lock:
            engine = self._engine()
        if shared(engine):
            listen(engine, CONTENT_CHANNEL, heard, stop)

    def check(self, root: Path | None = None) -> Catalog:
        """Every file of a content folder (this site's by default) read and checked as `kb check`
        does, the checks across files included."""
        return load_catalog(Path(root or self.store.root), max_bytes=self.config.max_article_bytes)

    def index(self, rebuild: bool = False, progress: bool = False):
        """Bring the index up to date with the whole folder (`kb index`)."""
        return self.search.index(rebuild=rebuild, progress=progress)

    # --- changing articles: one path -----------------------------------------------------------

    def check_text(self, rel_path: str, text: str) -> tuple[Article | None, list[Problem]]:
        """(article, problems) of ``text`` as if saved at ``rel_path`` today: what a save would
        say, without writing (the editor's preview, an imported draft)."""
        text = with_field(text.replace("\r\n", "\n"), "updated", dt.date.today().isoformat())
        return parse_article(text.encode("utf-8"), self.store.root / rel_path, self.store.root,
                             max_bytes=self.config.max_article_bytes)

    def opened(self, article: Article) -> tuple[str, str]:
        """(text, digest) of ``article``'s file as an editor opens it: the digest of the very
        bytes shown, so that a save compares with what the editor saw — the catalog may still
        list the version before another node's save that has just been pulled in."""
        raw = article.path.read_bytes()
        return raw.decode("utf-8", "replace"), hashlib.sha1(raw).hexdigest()

    def save(self, rel_path: str, text: str, base_digest: str | None, author: Author, message: str,
             also: Callable[[], list[str]] | None = None, reconfirm: bool = False) -> Saved:
        """Save an article's text at ``rel_path``: checked like ``kb check``, written only over
        the version the editor opened (``base_digest``, None for a new file), committed as
        ``author`` with ``message``, indexed once, and the other workers told. ``also`` runs
        inside the save's lock once the text is written — the article's attachments, a published
        draft's files (application.publishing) — and names the paths it changed, which go into
        the same commit. ``reconfirm``: a material change, which everyone who must read the
        article confirms again (application.reading)."""
        previous = self._as_opened(rel_path, base_digest)
        kept = addresses.SaveAddresses()

        def record(article: Article) -> str | None:
            nonlocal kept
            # the addresses it keeps (a changed slug, renamed headings) and the images of an
            # import go into the same commit as the article
            kept = addresses.record_save(self.store.root, previous, article)
            # images of an import wait in the drafts area (kb.drafts) until now: into the media folder
            names = DraftMedia(self.config.draft_media_path).publish(sorted(article.media), self.config.media_path)
            extra = also() if also is not None else []  # gone or changed: History.commit takes both
            if kept.written:
                extra.append(address_registry.FILE)
            return self.commit([article.rel_path, *(f"_media/{n}" for n in names), *extra], author, message)

        self._exchange.error, self._exchange.changed = None, []
        began = time.perf_counter()
        saved = Saved.of(save_article(self.store, rel_path, text, base_digest, record=record, guard=self._guard))
        saved = self._after(self._exchanged(saved))
        log.info("save of %s: %s in %.2fs", rel_path, "done" if saved.done else "refused", time.perf_counter() - began)
        if reconfirm and saved.done and saved.article.meta.get("required_for"):
            self.reading.ask_again(saved.article, saved.revision or saved.article.digest, author.name)
        if saved.done and saved.article is not None:
            entry = self.store.catalog().address(saved.article)
            saved.notes = kept.notes(saved.article.slug, entry.number if entry else None) + \
                self.unknown_groups(saved.article.meta)
        return saved

    def _exchanged(self, saved: Saved) -> Saved:
        """What the save's push said (a node of several): an error for the editor; files another
        node changed meanwhile, which came with it, for the index."""
        saved.sync_error = self._exchange.error
        if saved.conflict or self._exchange.changed:
            self._reindex(self._exchange.changed)
            self.store.reopen()
        return saved

    def _reindex(self, paths: list[str]) -> None:
        """Files changed here by a pull in a save: search takes them now (the keeper would too)."""
        if not paths:
            return
        try:
            if self.search.ready():
                self.search.update(paths)
        except (SearchError, OSError):
            log.exception("could not index %s", paths)
        content_changed(self.config.instance_path, self.config.content_dir)

    def unknown_groups(self, values: Mapping, what: str = "这篇文章") -> list[str]:
        """A note when ``readers`` or ``required_for`` names a group this site has nobody in: a
        typo (财务部 for 财务处) would hide ``what`` from everyone but the admins."""
        named = {str(g) for f in ("readers", "required_for") for g in (values.get(f) or ())} - {EVERYONE}
        if not named:
            return []
        unknown = sorted(named - {g.name for g in self.people.groups()})
        if not unknown:
            return []
        return [f"注意：本站还没有组 {'、'.join(f'“{g}”' for g in unknown)}（组名写对了吗？）。阅读范围里写了它，"
                f"除管理员和这个组的人以外没人能看到{what}；须阅读里写了它，没人会被要求阅读。"]

    def _as_opened(self, rel_path: str, base_digest: str | None) -> Article | None:
        """The article at ``rel_path`` with its text, when it is the version the editor opened
        (otherwise the save is refused as a conflict anyway)."""
        if base_digest is None:
            return None
        before = self.store.catalog().by_path.get(rel_path)
        if before is not None and before.digest == base_digest:
            return self.store.full(before)
        found, _ = load_article(self.store.root / rel_path, self.store.root, max_bytes=self.config.max_article_bytes)
        return found if found is not None and found.digest == base_digest else None

    def create(self, new: NewArticle, author: Author, message: str = "", draft: bool = False) -> Saved:
        """A new article from the 「新建」 form or `kb new`: front matter from the fields, the
        file in the folder of its type unless ``new.folder`` names one. As a ``draft`` it is
        saved with ``status: draft`` (readers never see it) and the status it chose waits in its
        review record for its publication (application.publishing)."""
        slug = new.slug.strip() or slug_from_name(new.title.replace("/", " ") + ".md")
        folder = new.home
        today = dt.date.today()
        meta = {"title": new.title.strip(), "slug": slug, "type": new.type, "category": new.category.strip(),
                "tags": [t.strip() for t in new.tags if t.strip()], "summary": new.summary.strip(),
                "source": "", "author": "", "published": today, "updated": today, "aliases": [],
                **{k: v for k, v in new.extra.items() if k not in ("title", "slug", "type", "category", "tags", "summary")}}
        path, message = f"{folder}/{slug or 'untitled'}.md", message or f"新建 {new.title.strip()}"
        if not draft:
            return self.save(path, dump(meta, new.body), None, author, message)
        also = self.publishing.new_draft_record(path, author, str(meta.get("status") or ""))
        saved = self.save(path, dump({**meta, "status": "draft"}, new.body), None, author, message, also=also)
        saved.draft = saved.done
        return saved

    def import_draft(self, name: str, data: bytes, folder: str = IMPORT_FOLDER) -> Draft:
        """An uploaded file as a draft article (kb.importing) for ``folder``, which gives its
        category; nothing is saved, its images wait in the drafts area until it is (kb.drafts).
        Raises kb.importing.ImportError_."""
        drafts = DraftMedia(self.config.draft_media_path)
        drafts.sweep()  # images of imports abandoned long enough ago
        return import_document(name, data, self.config.media_path, self.config.max_image_bytes,
                               folder=import_folder(folder), drafts=drafts, max_text_bytes=self.config.max_article_bytes)

    def import_file(self, name: str, data: bytes, folder: str, author: Author, message: str = "") -> tuple[Draft, Saved]:
        """An uploaded file converted and saved as it is in ``folder`` (`kb import --dir`), when it
        has no errors."""
        folder = import_folder(folder)
        draft = self.import_draft(name, data, folder)
        return draft, self.save(import_path(folder, draft.slug), draft.text, None, author, message or f"导入 {name}")

    def revert(self, article: Article, rev: str, base_digest: str, author: Author, message: str = "",
               reconfirm: bool = False) -> Saved:
        """Save an old version of ``article`` as a new change; ``Saved.done`` is False with a
        problem when ``rev`` is no version of it. ``reconfirm``: going back is a material change
        (a rule in force again), which everyone who must read it confirms again (``save``)."""
        found = self.history.version(rev, article.rel_path)
        if found is None:
            return Saved(None, [Problem(article.rel_path, f"没有找到版本 {rev}")])
        change, text = found
        message = message.strip() or f"恢复到 {change.when:%Y-%m-%d %H:%M} {change.author} 的版本（{change.short}）"
        return self.save(article.rel_path, text, base_digest, author, message, reconfirm=reconfirm)

    def delete(self, article: Article, base_digest: str, author: Author, reason: str = "",
               replaced_by: str = "", anchors: dict[str, str] | None = None) -> Saved:
        """Remove an article: its file leaves the folder and search in one commit with a record of
        what it was (kb.removed), so that its address says so from then on. ``replaced_by``
        must name another article (its slug, or an old slug of it); ``anchors`` maps its
        sections to the replacement's (links to them land on those sections)."""
        replaced_by = replaced_by.strip()
        if replaced_by:
            catalog = self.catalog()
            found = catalog.get(replaced_by) or catalog.by_alias.get(replaced_by)
            if found is None or found.slug == article.slug:
                return Saved(None, [Problem(article.rel_path, f"替代文章 “{replaced_by}” 不存在：请填写另一篇现有文章的 slug，或留空")])
            replaced_by = found.slug
        removal = removals.Removal(article.slug, article.title, article.rel_path, dt.date.today(), author.name,
                                   reason.strip(), replaced_by,
                                   {k: v for k, v in (anchors or {}).items() if k and v},
                                   tuple(article.meta.get("readers") or ()))
        message = f"删除 {article.title}" + (f"：{reason.strip()}" if reason.strip() else "")

        def record() -> str | None:
            self._record_removal(removal)
            files = self.publishing.remove_attachments(article.rel_path)  # they go with it; the history keeps them
            return self.commit([article.rel_path, removals.FILE, *files], author, message)

        self._exchange.error, self._exchange.changed = None, []
        result = delete_article(self.store, article.rel_path, base_digest, record=record, guard=self._guard)
        saved = self._exchanged(Saved.of(result))
        saved.done = not result.problems
        return self._after(saved, removed=article.rel_path if saved.done else None)

    def _record_removal(self, removal) -> None:
        """Add ``removal`` to the removed list, in the deletion's commit (called once the file
        is gone, inside its lock)."""
        path = self.store.root / removals.FILE
        raw = path.read_bytes() if path.exists() else b""
        result = save_text(self.store.root, removals.FILE, removals.with_removal(raw.decode("utf-8", "replace"), removal),
                           hashlib.sha1(raw).hexdigest() if raw else None, lambda text: removals.parse(text)[1])
        if not result.saved:
            log.error("deleted %s but could not record it in %s: %s", removal.path, removals.FILE,
                      "; ".join(p.message for p in result.problems))

    def _after(self, saved: Saved, removed: str | None = None) -> Saved:
        """What follows a change that stands: search takes it (once: the keeper's watcher then
        finds the index already has these bytes), and every worker reloads its articles."""
        if not saved.done:
            return saved
        if saved.article is not None:
            self.store.put(saved.article, saved.problems)
        elif removed is not None:
            self.store.gone(removed)
        else:
            self.store.invalidate()
        changed = removed or saved.article.rel_path
        began = time.perf_counter()
        try:
            if self.search.ready():
                articles = {saved.article.rel_path: saved.article} if saved.article is not None else None
                self.search.update([changed], articles=articles)
                log.info("save of %s: indexed in %.2fs", changed, time.perf_counter() - began)
        except Exception as exc:  # noqa: BLE001 — whatever search raises, the change stands
            # The keeper indexes it once the index can be written again, and until then /healthz
            # and the editors' banner say why: the editor is told, never shown a server error
            # for a save that was written (a Whoosh FileFormatError was seen once under fuzzing).
            log.exception("saved %s, but could not index it", changed)
            saved.index_error = str(exc) if isinstance(exc, (SearchError, OSError)) else f"{type(exc).__name__}: {exc}"
        content_changed(self.config.instance_path, self.config.content_dir)
        return saved

    # --- lasting addresses (kb.addresses) -------------------------------------------------------

    def record_addresses(self) -> tuple[str, ...]:
        """Number the articles the registry does not know and recognise files renamed or slugs
        changed outside the site (the keeper calls it after each update): what it recorded, in
        words, also committed."""
        notes = self._folder_look()
        if notes:
            log.info("recorded addresses: %s", "; ".join(notes))
            content_changed(self.config.instance_path, self.config.content_dir)
        return notes

    def old_links(self, article: Article, reader: Reader = ANONYMOUS) -> list[addresses.OldLink]:
        """Links from the articles ``reader`` may see to anchors ``article`` had before one of its
        headings was renamed (they still arrive; updating them makes them plain again)."""
        return addresses.links_to_old_anchors(self.catalog_for(reader), article, self.store.full)

    def relink(self, article: Article, author: Author, reader: Reader) -> list[Saved]:
        """Update every link of ``old_links`` to the anchor its heading has now: each linking
        article saved through ``save`` (checked, locked, committed, indexed)."""
        by_source: dict[str, list] = {}
        for link in self.old_links(article, reader):
            by_source.setdefault(link.source.rel_path, []).append(link)
        results = []
        for rel_path, links in by_source.items():
            source = links[0].source
            try:
                text = source.path.read_text(encoding="utf-8")
            except OSError as exc:
                results.append(Saved(None, [Problem(rel_path, f"无法读取：{exc.strerror}")]))
                continue
            message = f"更新链接：《{article.title}》的小节改了名"
            results.append(self.save(rel_path, addresses.relinked_text(text, links), source.digest, author, message))
        return results

    # --- checking links in onboarding material ---------------------------------------------------

    def check_links(self, name: str, data: bytes, reader: Reader = ANONYMOUS) -> LinkReport:
        """Every link into this site in the file ``name`` (Word, PowerPoint, PDF, HTML, Markdown,
        text: kb.doclinks) and what it leads to for ``reader`` today (kb.linkcheck)."""
        checker = LinkChecker(self.catalog_for(reader), self.config.site_url, self.config.allowed_hosts)
        try:
            found = links_in(name, data)
        except DocumentError as exc:
            return LinkReport(name, [], error=str(exc))
        ours = [f for f in found if checker.ours(f.url)]
        return LinkReport(name, [checker.check(f.url, f.where) for f in ours], others=len(found) - len(ours))

    # --- reading paths and progress (application.paths, kb.progress) ----------------------------

    @property
    def progress(self) -> Progress:
        """Reading-path progress of staff with an account (kb.progress), in the site's database."""
        with self._lock:
            if self._progress is None:
                self._progress = Progress(self._engine())
            return self._progress

    def save_reading_path(self, form: paths.PathForm, base_digest: str | None, author: Author, message: str,
                          reader: Reader) -> TextSaveResult:
        """A reading path from the browser's path editor (application.paths)."""
        return paths.save(self, form, base_digest, author, message, reader)

    def after_folder_change(self, changed: list[str]) -> None:
        """A file of the folder that is not an article changed (a reading path): search takes it
        and every worker reloads."""
        try:
            if self.search.ready():
                self.search.update(changed)
        except (SearchError, OSError):
            log.exception("saved %s, but could not index it", changed)
        self.store.reopen()
        content_changed(self.config.instance_path, self.config.content_dir)

    # --- the synonyms list ----------------------------------------------------------------------

    def synonyms_text(self) -> tuple[str, str | None]:
        """(text, digest) of the synonyms file on disk; ("", None) when there is none yet."""
        try:
            raw = self.config.synonyms_path.read_bytes()
        except FileNotFoundError:
            return "", None
        return raw.decode("utf-8", "replace"), hashlib.sha1(raw).hexdigest()

    def save_synonyms(self, text: str, base_digest: str | None, author: Author, message: str) -> TextSaveResult:
        """Checked by the search engine as it reads the list, saved under the articles' locks,
        recorded in the history; every worker's next search uses it, without re-indexing."""
        self._exchange.error, self._exchange.changed = None, []
        result = save_text(self.store.root, SYNONYMS, text, base_digest, self.search.check_synonyms,
                           record=lambda: self.commit([SYNONYMS], author, message), guard=self._guard)
        self._reindex(self._exchange.changed)
        return result

    @property
    def best_bets(self):
        """The editors' pinned answers (推荐答案): application.best_bets."""
        from .best_bets import BestBets

        return BestBets(self)

    # --- searching ------------------------------------------------------------------------------

    def search_page(self, query: Query, source: str = "page", ip: str | None = None,
                    record: bool = True, reader: Reader = ANONYMOUS) -> SearchPage:
        """A search as the site, the JSON API and `kb search` answer it, of what ``reader`` may
        see: the results; for one that found nothing, a correction and partial matches, within
        the same time budget; and, for the first page of a search with words, a line in the
        query log. Repealed articles are left out unless the query names a status; how many of
        them match too is ``SearchPage.repealed``."""
        changes = {"scope": self.scope(reader, query)}
        if query.deadline is None and self.config.search_budget_ms > 0:
            changes["deadline"] = query.until(self.config.search_budget_ms)
        query = dataclasses.replace(query, **changes)
        page = SearchPage(query)
        engine = self.search
        try:
            if not engine.ready():
                page.unavailable = True
                return page
            if query.text.strip() or query.filters:
                page.repealed = self._repealed_matching(query, reader)
                # words that find repealed articles are not misspelt: no correction for them
                page.result = engine.search(dataclasses.replace(query, correct=query.correct and not page.repealed))
            result = page.result
            if result is not None and result.total == 0 and query.text.strip() and not result.incomplete \
                    and not page.repealed:
                page.suggestion = result.suggestion or engine.suggest_words(query.text)
                page.partial = engine.partial_matches(query)
        except IndexUnavailable:
            page.result, page.unavailable = None, True
        if record and page.result is not None and query.text.strip() and query.page == 1:
            result = page.result
            page.token = self.analytics.search(query.text, result.total, source=source, ip=ip,
                                               corrected=result.query if result.corrected_from else None,
                                               missing=result.covering.missing if result.total else ())
        return page

    def _repealed_matching(self, query: Query, reader: Reader) -> int:
        """How many repealed articles ``query`` would also find for ``reader`` (0 when it names a
        status itself: then nothing was left out)."""
        if query.names("status"):
            return 0
        scope = self.access.scope(reader)
        if not self._any_repealed(scope):
            return 0
        also = dataclasses.replace(query, filters={**query.filters, "status": ("repealed",)}, page=1, limit=1,
                                   correct=False, scope=scope)
        return self.search.search(also).total

    def _any_repealed(self, scope: Scope) -> bool:
        """Whether the index has a repealed article in ``scope``: most sites have none, and then
        a search is not made twice. Asked again once the content changed (the workers' marker)."""
        key = (self.changes_stamp(), scope.key())
        if self._repealed_known is None or self._repealed_known[0] != key:
            found = self.search.search(Query("", {"status": ("repealed",)}, limit=1, scope=scope)).total > 0
            self._repealed_known = (key, found)
        return self._repealed_known[1]

    def found_now(self, text: str, reader: Reader = ANONYMOUS) -> int | None:
        """How many articles ``text`` finds today for ``reader`` (搜索统计: a query that found
        nothing then)."""
        try:
            query = Query(text, limit=1)
            return self.search.search(dataclasses.replace(query, scope=self.scope(reader, query))).total
        except IndexUnavailable:
            return None

