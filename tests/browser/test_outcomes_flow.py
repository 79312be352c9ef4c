"""Record a verdict; the witness's notice is queued, shows on their timeline and reaches the officer's queue."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.helpers import PASSWORD
from witness_support.cases import operations as case_ops
from witness_support.extensions import db
from witness_support.notifications import sweep


def test_officer_records_a_verdict_and_the_notice_is_queued(page, live_app):
    w = builders.world()
    case_ops.add_defendant(w.officer, w.case, name="Invented Defendant", custody_status="remanded")
    db.session.commit()
    login(page, "officer@example.test", PASSWORD)
    page.goto(f"/cases/{w.case.id}")
    page.get_by_role("link", name="Outcomes, sentences and impact statements").click()
    page.get_by_role("link", name="Record the verdict for Invented Defendant").click()
    page.get_by_label("Verdict").select_option("convicted")
    page.get_by_label("Sentence", exact=True).select_option("imprisonment")
    page.get_by_label("Length in months").fill("-3")  # refused; what was typed stays
    page.get_by_label("Charges it concerns").fill("Trafficking in persons, two counts")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.get_by_label("Charges it concerns").input_value() == "Trafficking in persons, two counts"
    assert_accessible(page)
    page.get_by_label("Length in months").fill("96")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Outcome recorded.")).to_be_visible()

    page.goto(f"/witnesses/{w.witness.id}")
    expect(page.locator(".story").get_by_text("Notice queued: verdict")).to_be_visible()

    # The outbox sweep runs (as the scheduler would): an in-person notice waits for the officer.
    sweep.send_due()
    db.session.commit()
    page.get_by_role("link", name="Notices to deliver").click()
    expect(page.get_by_text(w.witness.reference).first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "notice-queued")
