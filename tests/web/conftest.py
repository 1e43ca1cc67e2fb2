import time

import pytest

from web.app import create_app


def wait_ready(client, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if client.get("/healthz").status_code == 200:
            return
        time.sleep(0.1)
    raise AssertionError("index never became ready")


@pytest.fixture
def app(content_dir, tmp_path):
    app = create_app({"content_dir": content_dir, "index_dir": tmp_path / "index", "secret_key": "test"})
    app.config["TESTING"] = True
    wait_ready(app.test_client())
    yield app
    app.extensions["kb"]["keeper"].stop()
    app.extensions["kb"]["search"].close()


@pytest.fixture
def client(app):
    return app.test_client()
