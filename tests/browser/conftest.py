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

from tests.helpers import base_config
from tests.node_tools import node_modules
from witness_support import create_app
from witness_support.extensions import db

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"
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
    visited = _track(tab)
    yield tab
    _axe_sweep(tab, visited)
    context.close()


@pytest.fixture
def phone_page(browser: Any, live_url: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_url, viewport={"width": 360, "height": 740}, is_mobile=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    visited = _track(tab)
    yield tab
    _axe_sweep(tab, visited)
    context.close()


# Pages already checked with axe, per tab: the sweep at the end of a test skips them.
_CHECKED: dict[int, set[str]] = {}


def _track(tab: Any) -> list[str]:
    """Record every page the tab lands on, for the axe sweep."""
    visited: list[str] = []
    _CHECKED[id(tab)] = set()
    tab.on("framenavigated", lambda frame: visited.append(frame.url) if frame == tab.main_frame else None)
    return visited


def _axe_sweep(tab: Any, visited: list[str]) -> None:
    """axe on every page the test visited and did not check itself (pages are fetched again: GET only)."""
    checked = _CHECKED.pop(id(tab), set())
    for url in dict.fromkeys(u.split("#")[0] for u in visited):
        if not url.startswith("http") or url in checked or "/logout" in url:
            continue
        tab.goto(url)
        assert_accessible(tab)


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page: Any) -> None:
    """axe-core in the page: no serious or critical WCAG 2.x A/AA violation."""
    # Evaluated through the DevTools protocol: our CSP (rightly) blocks injected <script> tags.
    source = (node_modules() / "axe-core" / "axe.min.js").read_text()
    page.evaluate("source => { (0, eval)(source); }", source)
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
               values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, "accessibility violations on " + page.url + ":\n" + "\n".join(bad)
    _CHECKED.get(id(page), set()).add(page.url.split("#")[0])


def login(page: Any, email: str, password: str) -> None:
    """Sign in as a person does: password, then the authenticator code. On the first sign-in the
    account is enrolled through the real enrolment page, reading the key shown for manual entry."""
    import pyotp

    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/mfa/enrol" in page.url:
        secret = page.locator("#totp-secret").inner_text().strip()
        page.locator("input[name=code]").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("link", name="I have kept them — continue").click()
    elif "/login/code" in page.url:
        page.locator("input[name=code]").fill(_fresh_code(email))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/login" not in url and "/mfa/" not in url)


def _fresh_code(email: str) -> str:
    """A code for a step not used yet: each code is accepted once, and tests sign in quickly."""
    import pyotp
    import sqlalchemy as sa

    from witness_support.auth import operations as auth_ops
    from witness_support.auth.models import User

    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
    db.session.refresh(user)
    user.totp_last_step = None
    db.session.commit()
    return pyotp.TOTP(user.totp_secret).at(auth_ops.now())
