"""Apply for and grant a testimonial aid, book the support person from the blocker's link, and see the
prosecutor's readiness dashboard turn from not ready to ready (in words, not colour alone)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, axe_sweep, login, screenshot, track
from tests.helpers import PASSWORD
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops


def test_aid_granted_and_support_booked_make_the_trial_ready(browser, page, live_url, live_app):
    w = builders.world()
    witness_ops.assign_support(w.officer, w.witness, w.supporter, "support_worker")
    db.session.commit()
    builders.held_visit(w.officer, w.case, w.witness)
    builders.explained(w.officer, w.witness)
    trial = builders.event(w.officer, w.case, [w.witness], days=10)  # inside the aid deadline

    # The officer records that a screen is needed: an undecided aid this close blocks readiness.
    login(page, "officer@example.test", PASSWORD)
    page.goto(f"/witnesses/{w.witness.id}")
    page.get_by_role("link", name="Testimonial aids", exact=True).click()
    page.get_by_label("Aid", exact=True).select_option("screen")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Aid recorded as needed.")).to_be_visible()

    # The prosecutor, in their own browser, sees the trial day not ready and why.
    prosecutor_context = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 900})
    prosecutor = prosecutor_context.new_page()
    visited = track(prosecutor)
    login(prosecutor, "prosecutor@example.test", PASSWORD)
    prosecutor.goto("/court/readiness")
    expect(prosecutor.get_by_text("Not ready", exact=True).first).to_be_visible()
    blockers = prosecutor.locator("main a", has_text="Nobody is booked")
    assert blockers.count() >= 1
    assert_accessible(prosecutor)
    screenshot(prosecutor, "readiness-not-ready")

    # The officer applies for the aid, then records the court's grant, on the aids page.
    row = page.locator("tr", has_text="Screen")
    row.get_by_label("New status").select_option("applied")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Aid is now applied.")).to_be_visible()
    row = page.locator("tr", has_text="Screen")
    row.get_by_label("New status").select_option("granted")
    row.get_by_label("Court order reference").fill("ORD-2026-17")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Aid is now granted.")).to_be_visible()
    assert_accessible(page)

    # The remaining blocker's link leads to where it is fixed: booking someone at the trial day.
    page.goto(f"/witnesses/{w.witness.id}/readiness")
    page.get_by_role("link", name="Nobody is booked to attend this trial day in support.").click()
    assert f"/court-events/{trial.id}" in page.url
    page.get_by_label("Person").select_option(label="Sam Support")
    page.get_by_role("button", name="Book to attend").click()
    expect(page.get_by_text("Booked.")).to_be_visible()

    prosecutor.reload()
    expect(prosecutor.get_by_text("Ready", exact=True).first).to_be_visible()
    expect(prosecutor.get_by_text("Not ready", exact=True)).to_have_count(0)
    assert_accessible(prosecutor)
    screenshot(prosecutor, "readiness")
    prosecutor.goto("/")
    expect(prosecutor.get_by_role("heading", name="Trial readiness — next 60 days")).to_be_visible()
    axe_sweep(prosecutor, visited)
    prosecutor_context.close()

    # The story of the witness, on one screen.
    page.goto(f"/witnesses/{w.witness.id}")
    story = page.locator(".story")
    expect(story.get_by_text("Aid granted: screen")).to_be_visible()
    expect(story.get_by_text("Risk assessed: medium (trial stage)")).to_be_visible()
    expect(story.get_by_text("Familiarisation visit — held")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "witness-journey")
