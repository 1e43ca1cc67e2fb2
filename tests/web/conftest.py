import re
import time

import pytest

from web.app import create_app
from application import Site

PASSWORDS = {"editor": "editor-password", "admin": "admin-password", "reader": "reader-password"}


def wait_ready(client, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        health = client.get("/healthz")
        if health.status_code == 200 and health.get_json().get("status") != "updating":
            return  # searchable, and the keeper's first pass (after a build: Whoosh's record) done
        time.sleep(0.1)
    raise AssertionError("index never became ready")


def token(client, url="/login") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def log_in(client, name: str, password: str | None = None):
    response = client.post("/login", data={"csrf": token(client), "name": name,
                                           "password": password or PASSWORDS[name]})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def settings(content_dir, tmp_path, **more) -> dict:
    return {"content_dir": content_dir, "index_dir": tmp_path / "index", "instance_dir": tmp_path / "instance",
            "secret_key": "test", **more}


@pytest.fixture
def site(content_dir, tmp_path):
    """The application object over a private copy of the content (a git repository of its own
    after ``prepare``), with an editor, an admin and a reader."""
    s = Site(settings(content_dir, tmp_path))
    s.prepare()
    for name, password in PASSWORDS.items():
        s.users.add(name, password, name)
    yield s
    s.close()


def ready_app(site):
    """The web app of ``site`` with its keeper running, once searchable."""
    app = create_app(site)
    app.config["TESTING"] = True
    site.start_keeper()
    wait_ready(app.test_client())
    return app


@pytest.fixture
def app(site):
    yield ready_app(site)


@pytest.fixture
def client(app):
    """A browser session logged in as an editor."""
    return log_in(app.test_client(), "editor")


@pytest.fixture
def anonymous(app):
    return app.test_client()
