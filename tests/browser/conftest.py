"""Browser tests: Debian's Chromium driven by Playwright against the app served on 127.0.0.1.

The app runs in a thread with its own SQLite file database; the tests build data through the
same operations the app uses, in that database. Without /usr/bin/chromium these tests are
skipped with a message saying so (CI installs Chromium, see .ci/run).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.browser.helpers import CHROMIUM, axe_sweep, track
from tests.helpers import base_config
from witness_support import create_app
from witness_support.extensions import db

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(
        reason=f"browser tests skipped: Chromium not found at {CHROMIUM} (apt-get install chromium; .ci/run does this)"
    )
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def live_app(tmp_path: Path) -> Iterator[Flask]:
    """The app on a SQLite file, as a small deployment runs it (the live server reads the same file)."""
    config = base_config(f"sqlite:///{tmp_path / 'browser.sqlite3'}")
    config.pop("SERVER_NAME")
    app = create_app(config)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_url(live_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(browser: Any, live_url: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    visited = track(tab)
    yield tab
    axe_sweep(tab, visited)
    context.close()


@pytest.fixture
def phone_page(browser: Any, live_url: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_url, viewport={"width": 360, "height": 740}, is_mobile=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    visited = track(tab)
    yield tab
    axe_sweep(tab, visited)
    context.close()
