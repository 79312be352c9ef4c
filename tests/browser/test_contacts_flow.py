"""An officer opens a witness, logs a call with a follow-up (refused first without a summary), and
finds the follow-up task among their tasks."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.helpers import PASSWORD
from witness_support.db import today_utc


def test_officer_logs_a_contact_with_a_follow_up_and_sees_the_task(page, live_app):
    w = builders.world()
    login(page, "officer@example.test", PASSWORD)
    page.goto("/witnesses")
    page.get_by_role("link", name=w.witness.reference).click()
    page.get_by_role("link", name="Contacts and dates to avoid").click()
    expect(page.get_by_text("No contact logged yet.")).to_be_visible()
    page.get_by_role("link", name="Log a contact").click()
    follow_up = today_utc() + timedelta(days=2)
    yesterday = today_utc() - timedelta(days=1)
    page.get_by_label("When").fill(f"{yesterday.isoformat()}T14:15")
    page.get_by_label("How").select_option("call")
    page.get_by_label("Interpreted into").fill("Indonesian")
    page.get_by_label("Follow up on").fill(follow_up.isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#summary-error")).to_contain_text("Summarise the contact.")
    assert_accessible(page)
    page.get_by_label("Summary").fill("Talked through the trial date; wants to bring her sister.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Contact logged. A follow-up task was created.")).to_be_visible()
    log = page.locator("#log")
    expect(log.get_by_text("Talked through the trial date")).to_be_visible()
    expect(log.get_by_text("14:15")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "contacts-log")
    log.get_by_role("link", name="task").click()
    title = f"Follow up the call with {w.witness.reference}"
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("Olive Officer").first).to_be_visible()
    # The same task waits on the officer's tasks page, and the contact is on the witness's timeline.
    page.goto("/tasks/")
    expect(page.get_by_role("link", name=title)).to_be_visible()
    page.goto(f"/witnesses/{w.witness.id}")
    expect(page.get_by_text("Contact: call with the witness (interpreted: Indonesian)")).to_be_visible()
    assert_accessible(page)
