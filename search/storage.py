"""Where an index lives on disk: generations, their manifest, the writer's lock.

Layout of the index folder (never inside content/):

    <index>/live          symlink to the generation being served
    <index>/gen-…/        one generation: a Whoosh index, the ranking matrix's segments in
                          matrix/, and manifest.json
    <index>/.lock         serialises writers across threads and processes

A rebuild writes a new generation and switches ``live`` with one atomic rename, so readers
never see a half-built index and a crash leaves the previous one serving. Incremental updates
commit to Whoosh, write a matrix segment, then replace ``manifest.json`` — the manifest is what
readers watch: a new one (a new inode) means a new version to load.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from kb.fields import registry

from .analyzer import fingerprint, read_dictionary
from .interface import EngineSetup, IndexUnavailable
from .parameters import DEFAULT, Parameters
from .schema import SCHEMA_VERSION

MANIFEST = "manifest.json"
MATRIX = "matrix"
_thread_lock = threading.Lock()


def live_path(index_path: Path) -> Path:
    return Path(index_path) / "live"


def new_generation(index_path: Path) -> Path:
    gen = Path(index_path) / f"gen-{time.time_ns()}"
    gen.mkdir(parents=True)
    return gen


def read_manifest(gen: Path) -> dict:
    try:
        return json.loads((Path(gen) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_manifest(gen: Path, data: dict) -> None:
    """Replace the manifest in one rename: a process killed at any moment leaves the old one or
    the new one. (No fsync, as Whoosh's own commits: a power cut is not a process kill.)"""
    tmp = Path(gen) / f"{MANIFEST}.tmp-{os.getpid()}-{threading.get_ident()}"
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")  # json.dumps is C, json.dump not
    os.replace(tmp, Path(gen) / MANIFEST)


def current_fingerprint(config: EngineSetup, parameters: Parameters = DEFAULT) -> str:
    """What an index must have been built with to be searched as it is: this schema, the field
    registry, the zone weights, the analyzer and the dictionary."""
    return (f"{SCHEMA_VERSION}-{registry().fingerprint()}-{parameters.index_fingerprint()}-"
            f"{fingerprint(read_dictionary(config.dictionary_path))}")


def index_ready(index_path: Path) -> bool:
    """A committed generation is being served. Checked from files only: opening the index
    would unpickle its schema, which an older version of the code may no longer be able to read."""
    live = live_path(index_path)
    return (live / MANIFEST).is_file() and any(live.glob("_MAIN_*.toc"))


def index_current(config: EngineSetup, parameters: Parameters = DEFAULT) -> bool:
    """Ready, and built with the schema, fields, zones, analyzer and dictionary of this version."""
    return index_ready(config.index_path) and \
        read_manifest(live_path(config.index_path).resolve()).get("fingerprint") == current_fingerprint(config, parameters)


def version_stamp(index_path: Path) -> tuple | None:
    """Changes whenever a writer commits: the generation and its manifest's identity."""
    live = live_path(index_path)
    try:
        target = os.readlink(live)
        st = os.stat(live / MANIFEST)
    except OSError:
        return None
    return target, st.st_ino, st.st_mtime_ns, st.st_size


def switch_live(index_path: Path, gen: Path) -> None:
    """Serve ``gen`` from now on (one atomic rename), and remove older generations."""
    index_path = Path(index_path)
    tmp = index_path / f"live.tmp-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(gen.name)
    os.replace(tmp, live_path(index_path))
    remove_stale_generations(index_path)


def remove_stale_generations(index_path: Path) -> None:
    """Generations that are not live: left by a switch, or half-built by a killed build.
    Call only with the writer's lock held. Readers that still have one open keep their files
    (Linux frees them when the last handle closes)."""
    try:
        serving = os.readlink(live_path(index_path))
    except OSError:
        serving = None
    for old in Path(index_path).glob("gen-*"):
        if old.name != serving:
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def writer_lock(index_path: Path):
    """One writer at a time, across threads and processes. The lock dies with its process,
    so a killed build never blocks the next one."""
    index_path = Path(index_path)
    index_path.mkdir(parents=True, exist_ok=True)
    with _thread_lock, open(index_path / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


MIN_FREE_BYTES = 5 * 1024 * 1024  # below this an update of one article may not fit


def storage_problem(index_path: Path) -> str | None:
    """Why nothing can be written to the index folder now, or None. (Without the folder's path:
    /healthz answers anyone; the administrator knows where the index is.)"""
    folder = Path(index_path)
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent  # not created yet: its parent decides
    if not os.access(folder, os.W_OK):
        return "索引目录是只读的，无法更新索引"
    try:
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        return f"无法读取索引目录：{exc.strerror}"
    if free < MIN_FREE_BYTES:
        return f"索引目录所在的磁盘空间不足（剩余 {free / 1024 / 1024:.1f} MB）"
    return None


def open_whoosh(gen: Path):
    """The Whoosh index of a generation."""
    from whoosh import index as whoosh_index

    try:
        return whoosh_index.open_dir(str(gen))
    except Exception as exc:  # missing, half-written by another tool, or an unreadable old schema
        raise IndexUnavailable(f"无法打开索引 {gen}：{exc}") from exc
