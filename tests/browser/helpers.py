"""What the browser tests share besides fixtures: signing in, screenshots, and the axe checks.
Fixtures live in conftest.py, which imports from here; test modules import from here too
(never from conftest)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import pyotp
import sqlalchemy as sa

from tests.node_tools import node_modules
from witness_support.auth import operations as auth_ops
from witness_support.auth.models import User
from witness_support.extensions import db

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"


# Pages already checked, per tab: the sweep at the end of a test skips them.
_CHECKED: dict[int, set[str]] = {}
# The shapes of the pages axe has already passed in this worker (see `_shape`).
_PASSED_SHAPES: set[str] = set()


def track(tab: Any) -> list[str]:
    """Record every page the tab lands on, for the axe sweep."""
    visited: list[str] = []
    _CHECKED[id(tab)] = set()
    tab.on("framenavigated", lambda frame: visited.append(frame.url) if frame == tab.main_frame else None)
    return visited


# The two screens every page must work on: a desktop and a small phone.
WIDTHS = (1280, 360)


def axe_sweep(tab: Any, visited: list[str]) -> None:
    """Every page the test visited and did not check itself is fetched again (GET only) and checked
    by `assert_accessible`: axe, and no sideways scroll at both 1280 and 360 px."""
    checked = _CHECKED.pop(id(tab), set())
    urls = [u for u in dict.fromkeys(u.split("#")[0] for u in visited)
            if u.startswith("http") and "/logout" not in u]
    for url in urls:
        if url in checked:
            continue
        tab.goto(url)
        assert_accessible(tab)


def assert_fits(page: Any) -> None:
    """The page itself does not scroll sideways at the tab's width (a box of its own, such as a wide
    ledger table, may scroll inside the page)."""
    page.wait_for_load_state()
    width = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide on a {width}px screen"


def assert_fits_every_width(page: Any) -> None:
    """`assert_fits` at the tab's width and at each other width of WIDTHS, the page laid out again
    at that width (as when a phone turns), then put back."""
    assert_fits(page)
    size = page.viewport_size
    for width in WIDTHS:
        if width != size["width"]:
            page.set_viewport_size({"width": width, "height": size["height"]})
            try:
                assert_fits(page)
            finally:
                page.set_viewport_size(size)


# The page's structure as axe sees it: every element with its attributes (numbers, and long tokens
# such as a CSRF value or a nonce, made alike) and whether it holds text of its own. Two pages of one
# shape get the same axe result; the words differ, but axe judges names, roles, labels and colours,
# which the shape carries (colours come from the same classes).
_SHAPE = """() => Array.from(document.querySelectorAll('*'), el =>
    el.tagName + '[' + Array.from(el.attributes, a => a.name + '=' +
        a.value.replace(/[A-Za-z0-9_\\-.+\\/=]{20,}/g, 'T').replace(/[0-9]+/g, '0')).sort().join(' ') + ']' +
    (Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()) ? 'text' : '')
).join('|')"""


@cache
def _axe_source() -> str:
    """axe-core's script, read from disk once per worker (it is half a megabyte)."""
    return (node_modules() / "axe-core" / "axe.min.js").read_text()


def _shape(page: Any) -> str:
    return hashlib.sha256(page.evaluate(_SHAPE).encode()).hexdigest()


def assert_accessible(page: Any) -> None:
    """axe-core in the page: no serious or critical WCAG 2.x A/AA violation; and the page fits at
    every width (assert_fits_every_width). A page of a shape axe already passed in this worker (the
    same template in the same state, met again by another walk) is not run through axe again."""
    assert_fits_every_width(page)
    shape = _shape(page)
    if shape not in _PASSED_SHAPES:
        # Evaluated through the DevTools protocol: our CSP (rightly) blocks injected <script> tags.
        page.evaluate("source => { (0, eval)(source); }", _axe_source())
        result = page.evaluate(
            """async () => await axe.run(document, {runOnly: {type: 'tag',
                   values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
                   resultTypes: ['violations']})"""
        )
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, "accessibility violations on " + page.url + ":\n" + "\n".join(bad)
        _PASSED_SHAPES.add(shape)
    _CHECKED.get(id(page), set()).add(page.url.split("#")[0])


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page: Any, email: str, password: str) -> None:
    """Sign in as a person does: password, then the authenticator code. On the first sign-in the
    account is enrolled through the real enrolment page, reading the key shown for manual entry."""
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
        page.locator("input[name=code]").fill(fresh_code(email))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/login" not in url and "/mfa/" not in url)


def fresh_code(email: str) -> str:
    """A code for a step not used yet: each code is accepted once, and tests sign in quickly."""
    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
    db.session.refresh(user)
    user.totp_last_step = None
    db.session.commit()
    return pyotp.TOTP(user.totp_secret).at(auth_ops.now())
