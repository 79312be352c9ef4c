"""A support person signs in and sees their own schedule, and nothing of anyone else's."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.helpers import PASSWORD
from witness_support.cases import operations as case_ops
from witness_support.court import operations as court_ops
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops


def test_support_person_sees_only_their_schedule(page, live_app):
    w = builders.world()
    other_supporter = builders.user("other@example.test", "support_person", "Omar Other")
    other = witness_ops.create_witness(w.officer, legal_name="Invented Unrelated Witness", preferred_language="Thai")
    case_ops.start_journey(w.officer, w.case, other)
    witness_ops.assign_support(w.officer, w.witness, w.supporter, "support_worker")
    witness_ops.assign_support(w.officer, other, other_supporter, "support_worker")
    db.session.commit()
    mine = builders.event(w.officer, w.case, [w.witness], days=6, hour=9)
    theirs = builders.event(w.officer, w.case, [other], kind="pre_trial_hearing", days=7, hour=13)
    court_ops.assign_attendance(w.officer, mine, w.witness, w.supporter)
    court_ops.assign_attendance(w.officer, theirs, other, other_supporter)
    db.session.commit()

    login(page, "support@example.test", PASSWORD)
    schedule = page.locator("section", has=page.get_by_role("heading", name="Your court schedule"))
    expect(schedule.get_by_text(w.witness.reference)).to_be_visible()
    assert "Trial day" in schedule.inner_text()
    assert other.reference not in page.content()
    assert "Pre-trial hearing" not in page.content()
    # A support worker's role needs the name of their own witness, never another's.
    expect(schedule.get_by_text("Invented Browser Witness")).to_be_visible()
    assert "Invented Unrelated Witness" not in page.content()
    # Their calendar subscription has its place on the home page.
    expect(page.get_by_role("heading", name="Your calendar")).to_be_visible()
    # Staff pages are not theirs: they are not offered, and answer "not found".
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Court calendar")).to_have_count(0)
    expect(nav.get_by_role("link", name="Trial readiness")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "support-person-home")
    assert page.goto("/court/calendar").status == 404
    assert page.goto(f"/witnesses/{other.id}").status == 404
    page.goto("/court/schedule")
    expect(page.get_by_text(w.witness.reference).first).to_be_visible()
    assert other.reference not in page.content()
    assert_accessible(page)
