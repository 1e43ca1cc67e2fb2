import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def content_dir(tmp_path) -> Path:
    """A private copy of the bundled content that a test may change."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def write_article(folder: Path, name: str, body: str, **meta) -> Path:
    fields = {
        "title": "测试文章",
        "slug": Path(name).stem.replace("_", "-"),
        "type": "guide",
        "category": "测试",
        "summary": "测试用的文章。",
        "updated": "2026-01-01",
        **meta,
    }
    head = "\n".join(f"{k}: {v}" for k, v in fields.items())
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{head}\n---\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def built_index(tmp_path_factory):
    """A real index of the bundled content, built once for read-only search tests."""
    index = tmp_path_factory.mktemp("index")
    engine = engine_for(CONTENT, index)
    engine.index(rebuild=True)
    engine.close()
    return index


def engine_for(content, index, synonyms_path=None, **settings):
    """A search engine over a content folder and its index (built if missing); ``settings`` are
    the backend's own (cache_size), ``synonyms_path`` another synonyms file than the folder's."""
    import dataclasses

    from kb.config import load_config
    from search.interface import open_engine

    engine = open_engine(load_config(content_dir=content, index_dir=index), **settings)
    if synonyms_path is not None:
        engine = type(engine)(dataclasses.replace(engine.setup, synonyms_path=synonyms_path), engine.settings,
                              engine.parameters)
    return engine


@pytest.fixture(scope="session")
def searcher(built_index):
    engine = engine_for(CONTENT, built_index)
    yield engine
    engine.close()


@pytest.fixture(autouse=True)
def private_data_home(tmp_path, monkeypatch):
    """Sites built by tests keep their accounts and secret key under tmp_path, never in the
    user's data folder, unless a test names an instance folder itself."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def ask(engine, text: str = "", *, type=None, tag=None, category=None, **options):
    """``engine.search`` for a text and the three filters tests use most (search.interface.Query)."""
    from search.interface import Query

    filters = {name: (value,) for name, value in (("type", type), ("tags", tag), ("category", category)) if value}
    return engine.search(Query(text, filters, **options))


@pytest.fixture
def mail_server(tmp_path):
    """A real SMTP server on loopback (aiosmtpd), with the messages it received."""
    from tests.mailserver import MailServer

    server = MailServer(tmp_path / "smtp")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ldap_server():
    """A real OpenLDAP server (Debian's slapd) on loopback, filled with people and groups
    (tests/ldapserver.py); skipped where slapd is not installed, except in CI."""
    import os

    from tests.ldapserver import LdapServer, available

    missing = available()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    server = LdapServer()
    yield server
    server.stop()
