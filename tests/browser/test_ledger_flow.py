"""Record a benefit in the ledger (nothing typed is lost on an error) and print the disclosure schedule."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.helpers import PASSWORD


def test_officer_records_a_benefit_and_prints_the_disclosure_schedule(page, live_app):
    w = builders.world()
    login(page, "officer@example.test", PASSWORD)
    page.goto(f"/witnesses/{w.witness.id}")
    page.get_by_role("link", name="Benefits ledger").click()
    page.get_by_role("link", name="Record a benefit").click()
    page.get_by_label("Kind of benefit").select_option("subsistence")
    page.get_by_label("What was provided").fill("Meals during the week of the trial")
    page.get_by_label("Amount").fill("12,50")  # a decimal comma is refused, not misread
    page.get_by_label("Currency").fill("IDR")
    page.get_by_label("Providing agency").fill("Invented Shelter Foundation")
    page.get_by_label("The need it meets").fill("The witness cannot work while attending court.")
    page.get_by_role("button", name="Record the benefit").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.get_by_label("What was provided").input_value() == "Meals during the week of the trial"
    assert page.get_by_label("The need it meets").input_value() == "The witness cannot work while attending court."
    assert page.get_by_label("Providing agency").input_value() == "Invented Shelter Foundation"
    assert_accessible(page)
    page.get_by_label("Amount").fill("125000")
    if page.get_by_label("Provided on (first day)").input_value() == "":
        page.get_by_label("Provided on (first day)").fill(builders.today_utc().isoformat())
    page.get_by_role("button", name="Record the benefit").click()
    expect(page.get_by_text("Meals during the week of the trial").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "ledger-benefit-recorded")

    page.goto(f"/cases/{w.case.id}")
    page.get_by_role("link", name="Benefits disclosure schedule").click()
    expect(page.get_by_text("Meals during the week of the trial").first).to_be_visible()
    assert_accessible(page)
    # On paper: no navigation, no buttons; the entries stay.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_text("Meals during the week of the trial").first).to_be_visible()
    screenshot(page, "disclosure-print")
