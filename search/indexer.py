"""Building and updating the search index.

Layout of the index folder (never inside content/):

    <index>/live        symlink to the generation being served
    <index>/gen-…/      a Whoosh index plus manifest.json (fingerprint, file digests)
    <index>/.lock       serialises writers across processes

A rebuild writes a new generation and switches ``live`` with one atomic rename, so readers
never see a half-built index and a crash leaves the previous one serving. Incremental updates
go through Whoosh's own commit, which is atomic too. A change of schema, analyzer, stop words
or domain dictionary changes the fingerprint, and the next update rebuilds by itself.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import LockError

from kb.article import Article, Problem
from kb.config import Config
from kb.links import strip_citations
from kb.render import plain_text
from kb.check import relative
from kb.store import Catalog, content_files, load_article, load_catalog

from .analyzer import fingerprint, read_dictionary
from .schema import SCHEMA_VERSION, build_schema

log = logging.getLogger(__name__)
_thread_lock = threading.Lock()
PARALLEL_THRESHOLD = 2000  # documents; below this, extra processes cost more than they save


@dataclass
class Report:
    added: int = 0
    changed: int = 0
    removed: int = 0
    rebuilt: bool = False
    seconds: float = 0.0
    articles: int = 0
    skipped: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        what = "重建了索引" if self.rebuilt else "更新了索引"
        text = (f"{what}：{self.articles} 篇文章，新增 {self.added}，修改 {self.changed}，删除 {self.removed}，"
                f"用时 {self.seconds:.1f} 秒。")
        if self.skipped:
            text += f"\n有 {len(self.skipped)} 个问题的文章未收录（运行 kb check 查看详情）：\n" + "\n".join(
                f"  {p}" for p in self.skipped)
        return text


def documents(article: Article) -> list[dict]:
    """The article's own document, then one per section."""
    tags = " ".join(article.tags)
    common = {
        "path": article.rel_path,
        "slug": article.slug,
        "article_title": article.title,
        "type": article.type,
        "category": article.category,
        "tag": ",".join(article.tags),
        "tag_list": ",".join(article.tags).encode("utf-8"),
        "updated": (article.updated or article.published).isoformat() if (article.updated or article.published) else "",
    }
    lead = next((plain_text(s.text) for s in article.sections if not s.anchor), "")
    docs = [{
        **common,
        "id": article.slug,
        "kind": "article",
        "anchor": "",
        "section": None,
        "heading_path": [],
        "text": article.summary,
        # tags describe the article: only its own document carries them as words
        "content": f"{article.title}\n{tags}\n{article.summary}\n{lead}",
    }]
    for s in article.sections:
        if not s.anchor:
            continue
        own_words = plain_text(strip_citations(s.text))
        docs.append({
            **common,
            "id": f"{article.slug}#{s.anchor}",
            "kind": "section",
            "anchor": s.anchor,
            "section": s.heading,
            "heading_path": list(s.path),
            "text": own_words,
            # the article's title, the section's own heading (parents' would dilute it) and text
            "content": f"{article.title}\n{s.heading}\n{own_words}",
        })
    return docs


# --- locations --------------------------------------------------------------------------

def live_path(index_path: Path) -> Path:
    return Path(index_path) / "live"


def _manifest(gen: Path) -> dict:
    try:
        return json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_manifest(gen: Path, data: dict) -> None:
    tmp = gen / "manifest.json.tmp"
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, gen / "manifest.json")


def current_fingerprint(config: Config) -> str:
    return f"{SCHEMA_VERSION}-{fingerprint(read_dictionary(config.dictionary_path))}"


def index_ready(index_path: Path) -> bool:
    """A committed generation is being served. Checked from files only: opening the index
    would unpickle its schema, which an older version of the code may no longer be able to read."""
    live = live_path(index_path)
    return (live / "manifest.json").is_file() and any(live.glob("_MAIN_*.toc"))


def index_current(config: Config) -> bool:
    """Ready, and built with the schema, analyzer and dictionary of this version."""
    return index_ready(config.index_path) and \
        _manifest(live_path(config.index_path).resolve()).get("fingerprint") == current_fingerprint(config)


class IndexUnavailable(RuntimeError):
    """There is no index to search yet, or it cannot be read (it is being rebuilt)."""


def open_index(index_path: Path):
    """Open the generation being served."""
    try:
        return whoosh_index.open_dir(str(live_path(index_path)))
    except Exception as exc:  # missing, half-written by another tool, or an unreadable old schema
        raise IndexUnavailable(f"无法打开索引 {index_path}：{exc}") from exc


@contextmanager
def _writer_lock(index_path: Path):
    index_path.mkdir(parents=True, exist_ok=True)
    with _thread_lock, open(index_path / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --- building ------------------------------------------------------------------------------

def _progress(items, enabled: bool, desc: str):
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="篇")


def _skipped(problems: list[Problem]) -> list[Problem]:
    problems = [p for p in problems if p.severity == "error"]
    for p in problems:
        log.warning("未收录或有错误：%s", p)
    return problems


def _rebuild(config: Config, catalog: Catalog, progress: bool) -> Report:
    index_path = Path(config.index_path)
    gen = index_path / f"gen-{time.time_ns()}"
    gen.mkdir(parents=True)
    dictionary = read_dictionary(config.dictionary_path)
    ix = whoosh_index.create_in(str(gen), build_schema(dictionary))
    ndocs = sum(1 + len(a.sections) for a in catalog.articles)
    parallel = ndocs >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1
    writer = ix.writer(procs=min(os.cpu_count() or 1, 4), multisegment=True, limitmb=256) if parallel else ix.writer(limitmb=256)
    try:
        for article in _progress(catalog.articles, progress, "建立索引"):
            for doc in documents(article):
                writer.add_document(**doc)
        writer.commit()
    except BaseException:
        writer.cancel()
        shutil.rmtree(gen, ignore_errors=True)
        raise
    _write_manifest(gen, {"fingerprint": current_fingerprint(config),
                          "files": {a.rel_path: a.digest for a in catalog.articles}})
    tmp = index_path / f"live.tmp-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(gen.name)
    os.replace(tmp, live_path(index_path))  # the atomic switch
    for old in index_path.glob("gen-*"):
        if old != gen:
            shutil.rmtree(old, ignore_errors=True)
    return Report(added=len(catalog.articles), rebuilt=True, articles=len(catalog.articles))


def _apply(config: Config, manifest: dict, upserts: list[Article], removed: list[str], total: int,
           progress: bool) -> Report:
    """Delete the documents of ``removed`` and of re-indexed files, add ``upserts``, commit."""
    gen = live_path(config.index_path).resolve()
    old: dict[str, str] = manifest.get("files", {})
    report = Report(added=sum(a.rel_path not in old for a in upserts),
                    changed=sum(a.rel_path in old for a in upserts), removed=len(removed), articles=total)
    if not (upserts or removed):
        return report
    ix = whoosh_index.open_dir(str(gen))
    writer = ix.writer(timeout=30)
    try:
        for path in removed + [a.rel_path for a in upserts if a.rel_path in old]:
            writer.delete_by_term("path", path)
        for article in _progress(upserts, progress and len(upserts) > 50, "更新索引"):
            for doc in documents(article):
                writer.add_document(**doc)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    files = {p: d for p, d in old.items() if p not in removed}
    files.update({a.rel_path: a.digest for a in upserts})
    _write_manifest(gen, {**manifest, "files": files})
    return report


def _update_from_catalog(config: Config, catalog: Catalog, manifest: dict, progress: bool) -> Report:
    old: dict[str, str] = manifest.get("files", {})
    new = {a.rel_path: a for a in catalog.articles}
    upserts = [a for p, a in new.items() if old.get(p) != a.digest]
    removed = [p for p in old if p not in new]
    return _apply(config, manifest, upserts, removed, len(new), progress)


def _update_changed_files(config: Config, manifest: dict, progress: bool) -> tuple[Report, list[Problem]]:
    """Without a loaded catalog (`kb index`, `kb search`): hash every file, but read and
    validate only those whose digest differs from the one indexed; one edit among ten thousand
    articles costs a pass of hashing, not a parse of the whole folder."""
    root = Path(config.content_dir)
    old: dict[str, str] = manifest.get("files", {})
    files = {relative(p, root): p for p in content_files(root)}
    todo = [rel for rel, path in files.items() if old.get(rel) != _digest(path)]
    problems: list[Problem] = []
    upserts, failed = [], []
    searcher = whoosh_index.open_dir(str(live_path(config.index_path))).searcher() if todo else None
    for rel in todo:
        path = files[rel]
        article, found = load_article(path, root)
        problems += found
        owner = _slug_owner(searcher, article.slug) if article else None
        if article is not None and owner not in (None, rel):
            problems.append(Problem(rel, f"slug “{article.slug}” 已被 {owner} 使用，本文不会被收录"))
            article = None
        (upserts if article is not None else failed).append(article or rel)
    if searcher is not None:
        searcher.close()
    removed = [p for p in old if p not in files or p in failed]
    report = _apply(config, manifest, upserts, removed, len(files) - len(failed), progress)
    return report, [p for p in problems if p.severity == "error"]


def _digest(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def _slug_owner(searcher, slug: str) -> str | None:
    """The content file of the indexed article with this slug, if any."""
    found = searcher.document(kind="article", slug=slug)
    return found["path"] if found else None


def update_index(config: Config, rebuild: bool = False, progress: bool = False,
                 catalog: Catalog | None = None) -> Report:
    """Bring the index up to date with the content folder; rebuild when asked, missing or stale."""
    started = time.perf_counter()
    index_path = Path(config.index_path)
    with _writer_lock(index_path):
        manifest = _manifest(live_path(index_path).resolve()) if index_ready(index_path) else {}
        stale = manifest.get("fingerprint") != current_fingerprint(config)
        try:
            if rebuild or stale:
                if manifest and stale and not rebuild:
                    log.info("schema, analyzer or dictionary changed: rebuilding the index")
                # Only each file's own problems decide whether it is indexed; `kb check` does the rest.
                catalog = catalog or load_catalog(Path(config.content_dir), cross_checks=False)
                report = _rebuild(config, catalog, progress)
                report.skipped = _skipped(catalog.problems)
            elif catalog is not None:
                report = _update_from_catalog(config, catalog, manifest, progress)
                report.skipped = _skipped(catalog.problems)
            else:
                report, problems = _update_changed_files(config, manifest, progress)
                report.skipped = _skipped(problems)
        except LockError:
            raise RuntimeError(f"索引 {index_path} 正被另一个进程写入，请稍后再试") from None
    report.seconds = time.perf_counter() - started
    return report


def ensure_index(config: Config, progress: bool = False) -> Report:
    """Used by `kb serve` and `kb search`: build a missing or stale index, apply changes."""
    return update_index(config, progress=progress)
