"""Record a compensation order with the verdict; a part payment on the claim it opened; the return of
a passport taken as evidence (refused first for a date before it was taken)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.helpers import PASSWORD, past
from witness_support.cases import operations as case_ops
from witness_support.extensions import db
from witness_support.remedies import operations as remedies_ops


def test_officer_records_an_order_a_part_payment_and_a_property_return(page, live_app):
    w = builders.world()
    case_ops.add_defendant(w.officer, w.case, name="Invented Defendant", custody_status="remanded")
    item = remedies_ops.record_property(w.officer, w.witness, kind="passport", taken_on=past(40),
                                        taken_by="Invented Police Unit", needed_urgently=True,
                                        needed_for="Residence application")
    db.session.commit()
    login(page, "officer@example.test", PASSWORD)
    page.goto(f"/cases/{w.case.id}")
    page.get_by_role("link", name="Outcomes, sentences and impact statements").click()
    page.get_by_role("link", name="Record the verdict for Invented Defendant").click()
    page.get_by_label("Verdict").select_option("convicted")
    page.get_by_label("Sentence", exact=True).select_option("fine")
    page.get_by_label("Compensation order for").select_option(label=w.witness.reference)
    page.get_by_label("Compensation ordered").fill("6000.00")
    page.get_by_label("Currency").fill("IDR")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Outcome recorded.")).to_be_visible()

    page.goto(f"/witnesses/{w.witness.id}")
    page.get_by_role("link", name="Remedies").click()
    expect(page.get_by_text("Criminal compensation or restitution order")).to_be_visible()
    page.get_by_role("link", name="Record a payment").click()
    page.get_by_label("Amount paid").fill("2500")
    page.get_by_label("Paid on").fill(past(0).isoformat())
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Payment recorded.")).to_be_visible()
    expect(page.get_by_text("2,500.00 IDR; outstanding 3,500.00 IDR")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record return").click()
    page.get_by_label("Returned or released on").fill(past(41).isoformat())
    page.get_by_role("button", name="Record").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#returned_on-error")).to_contain_text("before it was taken")
    assert_accessible(page)
    page.get_by_label("Returned or released on").fill(past(1).isoformat())
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text(f"Returned {past(1).isoformat()}")).to_be_visible()
    assert builders.fresh(item).returned_on == past(1)

    # A charge against the witness: the prosecutor's decision starts on "Choose…" and is refused
    # there, next to the field; chosen, the charge is recorded.
    page.get_by_role("link", name="Record a charge").click()
    expect(page.get_by_label("Prosecutor's decision")).to_have_value("")
    page.get_by_label("Offence").select_option("immigration")
    page.get_by_label("Arose from the trafficking").select_option("yes")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("#decision-error")).to_contain_text("Choose pending, discontinued, not prosecuted or convicted")
    assert_accessible(page)
    page.get_by_label("Prosecutor's decision").select_option("pending")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("#charges-title ~ table")).to_contain_text("Pending")
    screenshot(page, "remedies")
