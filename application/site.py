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

import dataclasses
import datetime as dt
import hashlib
import logging
import os
import re
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from kb import removed as removals
from kb.analytics import Analytics
from kb.article import Article, Problem
from kb.config import Config, load_config
from kb.database import open_database
from kb.defaults import slug_from_name
from kb.frontmatter import dump, with_field
from kb.history import Author, History
from kb.importing import Draft, import_document
from kb.saving import SaveResult, TextSaveResult, delete_article, save_article, save_text
from kb.store import Catalog, ContentStore, load_catalog, parse_article
from kb.synonyms import FILE as SYNONYMS
from kb.people import People
from kb.users import Users
from search.interface import IndexUnavailable, Query, SearchError, SearchResult, open_engine

from .access import ANONYMOUS, Access, Reader
from .changes import ChangesView
from .feedback import FeedbackDesk
from .login import authenticate
from .following import Following
from .reading import Reading
from .health import Health, site_health
from .keeper import content_changed, content_stamp, keeper_status

log = logging.getLogger(__name__)

SECRET_FILE = "secret_key"
_MEDIA = re.compile(r"\(/media/([0-9a-f]{16}\.[a-z]{3,4})\)")


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
    done: bool = False

    @property
    def warnings(self) -> list[str]:
        """What the editor should be told after a change that stands."""
        out = []
        if self.history_error:
            out.append(f"没有记入修改历史（git 出错：{self.history_error}）。请告诉管理员。")
        if self.index_error:
            out.append(f"搜索索引暂时无法更新（{self.index_error}），这篇文章暂时搜不到；索引恢复后会自动补上。")
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


class Site:
    def __init__(self, config: Config | dict | None = None):
        if not isinstance(config, Config):
            config = load_config(**(config or {}))
        self.config = config
        self.store = ContentStore(Path(config.content_dir), max_article_bytes=config.max_article_bytes, light=True)
        self.history = History(Path(config.content_dir), commit_in_parent=config.history_in_parent_repo)
        self._search = None
        self._database = None
        self._users: Users | None = None
        self._analytics: Analytics | None = None
        self._people: People | None = None
        self._tables: dict[type, object] = {}
        self.keeper = None
        self.access = Access()
        self.reading = Reading(self)  # read and confirm (application.reading)
        self.feedback = FeedbackDesk(self)  # what readers tell an article's owner (application.feedback)
        self.following = Following(self)  # articles, categories and paths people follow (application.following)
        self._lock = threading.Lock()

    # --- the parts ------------------------------------------------------------------------------

    @property
    def search(self):
        """The search engine over this node's index (search.interface.SearchEngine)."""
        with self._lock:
            if self._search is None:
                self._search = open_engine(self.config)
            return self._search

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

    def suggest(self, text: str, reader: Reader = ANONYMOUS, limit: int = 8):
        """Titles, headings and tags for what is being typed, of what ``reader`` may see."""
        return self.search.suggest(text, limit, self.access.scope(reader))

    # --- starting and stopping ------------------------------------------------------------------

    def prepare(self) -> None:
        """First-start work, done once before serving: the instance folder, the secret key
        and the content folder's git repository."""
        self.config.instance_path.mkdir(parents=True, exist_ok=True)
        self.secret_key()
        self.history.prepare()

    def secret_key(self) -> str:
        """The configured key, else the one kept in the instance folder (created on first
        start): sessions and open forms survive restarts, and every worker signs alike."""
        if self.config.secret_key:
            return self.config.secret_key
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

        return IndexKeeper(self.search, self.store, self.config.instance_path)

    def start_keeper(self, thread: bool = True):
        """Keep the index current from this process (a thread by default)."""
        if self.keeper is None:
            self.keeper = self.keeper_for()
            self.keeper.start(thread=thread)
        return self.keeper

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
        self.store.invalidate()

    def health(self) -> Health:
        """Whether the site can search and how current its index is (/healthz, the banner)."""
        return site_health(self.search.health(), keeper_status(self.config.instance_path))

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

    def save(self, rel_path: str, text: str, base_digest: str | None, author: Author, message: str,
             reconfirm: bool = False) -> Saved:
        """Save an article's text at ``rel_path``: checked like ``kb check``, written only over
        the version the editor opened (``base_digest``, None for a new file), committed as
        ``author`` with ``message``, indexed once, and the other workers told. ``reconfirm``: a
        material change, which everyone who must read the article confirms again
        (application.reading)."""
        def record(article: Article) -> str | None:
            # images an import put in the media folder go into the same commit as the article
            media = [f"_media/{n}" for n in _MEDIA.findall(article.body) if (self.config.media_path / n).is_file()]
            return self.history.commit([article.rel_path, *media], author.name, author.email, message)

        saved = self._after(Saved.of(save_article(self.store, rel_path, text, base_digest, record=record)))
        if reconfirm and saved.done and saved.article.meta.get("required_for"):
            self.reading.ask_again(saved.article, saved.revision or saved.article.digest, author.name)
        return saved

    def create(self, new: NewArticle, author: Author, message: str = "") -> Saved:
        """A new article from the 「新建」 form or `kb new`: front matter from the fields, the
        file in the folder of its type unless ``new.folder`` names one."""
        slug = new.slug.strip() or slug_from_name(new.title.replace("/", " ") + ".md")
        folder = new.folder.strip("/") or ("checklists" if new.type == "checklist" else "guides")
        today = dt.date.today()
        meta = {"title": new.title.strip(), "slug": slug, "type": new.type, "category": new.category.strip(),
                "tags": [t.strip() for t in new.tags if t.strip()], "summary": new.summary.strip(),
                "source": "", "author": "", "published": today, "updated": today, "aliases": []}
        return self.save(f"{folder}/{slug or 'untitled'}.md", dump(meta, new.body), None, author,
                         message or f"新建 {new.title.strip()}")

    def import_draft(self, name: str, data: bytes) -> Draft:
        """An uploaded file as a draft article (kb.importing); nothing is saved. Raises
        kb.importing.ImportError_."""
        return import_document(name, data, self.config.media_path, self.config.max_image_bytes)

    def import_file(self, name: str, data: bytes, folder: str, author: Author, message: str = "") -> tuple[Draft, Saved]:
        """An uploaded file converted and saved as it is (`kb import`), when it has no errors."""
        draft = self.import_draft(name, data)
        rel = f"{folder.strip('/') or 'guides'}/{draft.slug}.md"
        return draft, self.save(rel, draft.text, None, author, message or f"导入 {name}")

    def revert(self, article: Article, rev: str, base_digest: str, author: Author, message: str = "") -> Saved:
        """Save an old version of ``article`` as a new change; ``Saved.done`` is False with a
        problem when ``rev`` is no version of it."""
        found = self.history.version(rev, article.rel_path)
        if found is None:
            return Saved(None, [Problem(article.rel_path, f"没有找到版本 {rev}")])
        change, text = found
        message = message.strip() or f"恢复到 {change.when:%Y-%m-%d %H:%M} {change.author} 的版本（{change.short}）"
        return self.save(article.rel_path, text, base_digest, author, message)

    def delete(self, article: Article, base_digest: str, author: Author, reason: str = "",
               replaced_by: str = "") -> Saved:
        """Remove an article: its file leaves the folder and search in one commit with a record of
        what it was (kb.removed), so that its address says so from then on."""
        removal = removals.Removal(article.slug, article.title, article.rel_path, dt.date.today(), author.name,
                                   reason.strip(), replaced_by.strip(), tuple(article.meta.get("readers") or ()))
        message = f"删除 {article.title}" + (f"：{reason.strip()}" if reason.strip() else "")

        def record() -> str | None:
            self._record_removal(removal)
            return self.history.commit([article.rel_path, removals.FILE], author.name, author.email, message)

        result = delete_article(self.store, article.rel_path, base_digest, record=record)
        saved = Saved.of(result)
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
        else:
            self.store.invalidate()
        changed = removed or saved.article.rel_path
        try:
            if self.search.ready():
                articles = {saved.article.rel_path: saved.article} if saved.article is not None else None
                self.search.update([changed], articles=articles)
        except (SearchError, OSError) as exc:
            # The change stands; the keeper indexes it once the index can be written again,
            # and until then /healthz and the editors' banner say why.
            log.exception("saved %s, but could not index it", changed)
            saved.index_error = str(exc)
        content_changed(self.config.instance_path, self.config.content_dir)
        return saved

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
        return save_text(self.store.root, SYNONYMS, text, base_digest, self.search.check_synonyms,
                         record=lambda: self.history.commit([SYNONYMS], author.name, author.email, message))

    # --- searching ------------------------------------------------------------------------------

    def search_page(self, query: Query, source: str = "page", ip: str | None = None,
                    record: bool = True, reader: Reader = ANONYMOUS) -> SearchPage:
        """A search as the site, the JSON API and `kb search` answer it, of what ``reader`` may
        see: the results; for one that found nothing, a correction and partial matches, within
        the same time budget; and, for the first page of a search with words, a line in the
        query log."""
        changes = {"scope": self.access.scope(reader)}
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
                page.result = engine.search(query)
            result = page.result
            if result is not None and result.total == 0 and query.text.strip() and not result.incomplete:
                page.suggestion = result.suggestion or engine.suggest_words(query.text)
                page.partial = engine.partial_matches(query)
        except IndexUnavailable:
            page.result, page.unavailable = None, True
        if record and page.result is not None and query.text.strip() and query.page == 1:
            result = page.result
            page.token = self.analytics.search(query.text, result.total, source=source, ip=ip,
                                               corrected=result.query if result.corrected_from else None)
        return page

    def found_now(self, text: str, reader: Reader = ANONYMOUS) -> int | None:
        """How many articles ``text`` finds today for ``reader`` (搜索统计: a query that found
        nothing then)."""
        try:
            return self.search.search(Query(text, limit=1, scope=self.access.scope(reader))).total
        except IndexUnavailable:
            return None

