"""A whole flow with the keyboard only (Tab, Shift+Tab, Enter, Space, arrows; no mouse): sign in with
the second factor, register a witness, correct a mistake from the error summary, record a risk
assessment. Every focused control shows a visible focus indicator."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, axe_sweep, fresh_code, login, screenshot, track
from tests.helpers import PASSWORD

WITNESS_PAGE = re.compile(r"/witnesses/\d+(#.*)?$")
FOCUSED = """() => { const e = document.activeElement; if (!e) return null;
  const s = getComputedStyle(e);
  return {tag: e.tagName, id: e.id, text: (e.innerText || e.value || '').trim(),
          label: e.labels && e.labels[0] ? e.labels[0].innerText.trim() : '',
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }"""


def tab_to(page: Any, match: str, *, by: str = "text", limit: int = 80) -> dict:
    """Press Tab until the focused element's text (or label) starts with `match`; assert focus shows."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused and focused[by].startswith(match):
            assert focused["outline"], f"no visible focus on {focused}"
            return focused
    raise AssertionError(f"Tab never reached {match!r}")


def test_keyboard_only_sign_in_register_and_assess(browser, page, live_url, live_app):
    builders.user("officer@example.test", "liaison_officer", "Olive Officer")
    login(page, "officer@example.test", PASSWORD)  # enrols the authenticator (not the point here)
    context = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 900})
    kb = context.new_page()
    kb.set_default_timeout(15_000)
    visited = track(kb)
    kb.goto("/login")

    tab_to(kb, "Skip to content")
    tab_to(kb, "Email", by="label")
    kb.keyboard.type("officer@example.test")
    tab_to(kb, "Password", by="label")
    kb.keyboard.type(PASSWORD)
    kb.keyboard.press("Enter")
    kb.wait_for_url("**/login/code")
    tab_to(kb, "code", by="id")
    kb.keyboard.type(fresh_code("officer@example.test"))
    kb.keyboard.press("Enter")
    kb.wait_for_url(lambda url: "/login" not in url)

    tab_to(kb, "Witnesses")
    kb.keyboard.press("Enter")
    kb.wait_for_url("**/witnesses/")
    tab_to(kb, "Register a witness")
    kb.keyboard.press("Enter")
    kb.wait_for_url("**/witnesses/new")
    tab_to(kb, "Legal name", by="label")
    kb.keyboard.type("Invented Keyboard Person")
    tab_to(kb, "Date of birth", by="label")
    kb.keyboard.type("01012090")  # in the future: refused
    tab_to(kb, "Preferred language", by="label")
    kb.keyboard.type("Khmer")
    tab_to(kb, "Save")
    with kb.expect_navigation():
        kb.keyboard.press("Enter")

    # Focus starts on the error summary; its link takes focus to the field at fault.
    assert kb.evaluate("document.activeElement.className") == "error-summary"
    tab_to(kb, "Date of birth")
    kb.keyboard.press("Enter")
    assert kb.evaluate("document.activeElement.id") == "date_of_birth"
    assert kb.get_by_label("Legal name").input_value() == "Invented Keyboard Person"
    kb.keyboard.type("02031994")
    tab_to(kb, "Save")
    kb.keyboard.press("Enter")
    kb.wait_for_url(WITNESS_PAGE)
    reference = kb.locator("h1").inner_text().split()[0]
    assert reference.startswith("W-")

    tab_to(kb, "Record a risk assessment")
    kb.keyboard.press("Enter")
    kb.wait_for_url("**/risk-assessments/new")
    tab_to(kb, "Risk level", by="label")
    kb.keyboard.press("c")  # a closed select jumps to the option starting with the letter: Critical
    tab_to(kb, "Next review", by="label")
    next_review = builders.today_utc().replace(year=builders.today_utc().year + 1)
    kb.keyboard.type(next_review.strftime("%m%d%Y"))  # Chromium's en-US date field: month, day, year
    tab_to(kb, "Record assessment")
    kb.keyboard.press("Space")
    kb.wait_for_url(WITNESS_PAGE)
    expect(kb.get_by_text("Critical risk").first).to_be_visible()
    assert_accessible(kb)
    screenshot(kb, "keyboard-only-flow")
    axe_sweep(kb, visited)
    context.close()
