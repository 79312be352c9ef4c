"""Court support in the browser: assign a support person, schedule a trial day in the court's time
zone, book the person to attend, and read the court calendar (moves, cancellations, double-bookings)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.helpers import PASSWORD
from witness_support.court import operations as court_ops
from witness_support.court.models import Attendance, CourtEvent
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops


def test_officer_assigns_a_support_person_schedules_a_trial_day_and_books_them(page, live_app):
    w = builders.world()
    login(page, "officer@example.test", PASSWORD)

    # Assign the support person to the witness.
    page.goto(f"/witnesses/{w.witness.id}")
    page.get_by_role("link", name="Assign a person").click()
    assert_accessible(page)
    page.get_by_label("Person").select_option(label="Sam Support (support person)")
    page.get_by_label("Role").select_option("support_worker")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Sam Support — Support worker")).to_be_visible()

    # Schedule a trial day: the form says which clock the times are on.
    page.goto(f"/cases/{w.case.id}/court-events")
    page.get_by_role("link", name="Schedule an event").click()
    expect(page.get_by_text("Court time, Asia/Jakarta").first).to_be_visible()
    day = builders.at_court(20).date().isoformat()
    page.get_by_label("Kind of event").select_option("trial_day")
    page.get_by_label("Starts").fill(f"{day}T09:30")
    page.get_by_label("Ends").fill(f"{day}T08:00")  # before the start: refused
    page.get_by_label("Room").fill("Courtroom 3")
    page.get_by_label(w.witness.reference).check()
    page.get_by_role("button", name="Schedule").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert_accessible(page)
    # Nothing typed is lost, and the summary links to the field at fault.
    assert page.get_by_label("Room").input_value() == "Courtroom 3"
    assert page.get_by_label("Starts").input_value() == f"{day}T09:30"
    assert page.get_by_label(w.witness.reference).is_checked()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "ends_at"
    page.get_by_label("Ends").fill(f"{day}T16:00")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Court event scheduled.")).to_be_visible()

    trial = db.session.execute(sa.select(CourtEvent).where(CourtEvent.case_id == w.case.id)).scalar_one()
    local = court_ops.court_local(trial.starts_at, "Asia/Jakarta")
    assert (local.hour, local.minute) == (9, 30)  # 09:30 on the court's clock, stored in UTC

    # Book the support person to attend.
    page.locator("tbody a").first.click()
    page.get_by_label("In support of").select_option(label=w.witness.reference)
    page.get_by_label("Person").select_option(label="Sam Support")
    page.get_by_role("button", name="Book to attend").click()
    expect(page.get_by_text("Sam Support (Support worker) for " + w.witness.reference)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "court-event-booked")


def test_calendar_marks_moves_cancellations_and_double_bookings(page, live_app):
    w = builders.world()
    other = witness_ops.create_witness(w.officer, legal_name="Invented Second Witness", preferred_language="Thai")
    from witness_support.cases import operations as case_ops

    case_ops.start_journey(w.officer, w.case, other)
    for person in (w.witness, other):
        witness_ops.assign_support(w.officer, person, w.supporter, "support_worker")
    db.session.commit()
    first = builders.event(w.officer, w.case, [w.witness], days=3, hour=9, hours=4)
    clash = builders.event(w.officer, w.case, [other], kind="pre_trial_hearing", days=3, hour=11, hours=2)
    # Same day, so that the week shown holds them all whatever the weekday today.
    moved = builders.event(w.officer, w.case, [w.witness], kind="mention", days=3, hour=14, hours=1)
    cancelled = builders.event(w.officer, w.case, [other], kind="mention", days=3, hour=16, hours=1)
    court_ops.assign_attendance(w.officer, first, w.witness, w.supporter)
    court_ops.assign_attendance(w.officer, clash, other, w.supporter, override_reason="No one else speaks Thai")
    court_ops.move_event(w.officer, moved, starts_at=moved.starts_at + timedelta(hours=2),
                         ends_at=moved.ends_at + timedelta(hours=2), reason="Judge unwell")
    court_ops.cancel_event(w.officer, cancelled, "Charges withdrawn against one defendant")
    db.session.commit()

    login(page, "officer@example.test", PASSWORD)
    page.get_by_role("link", name="Court calendar", exact=True).click()
    anchor = builders.at_court(3).date()
    page.goto(f"/court/calendar?view=week&date={anchor.isoformat()}")
    expect(page.get_by_text("Double-booked: Sam Support")).to_have_count(2)
    expect(page.get_by_text("Moved", exact=True)).to_be_visible()
    expect(page.locator(".cal-event.status-cancelled").get_by_text("Cancelled", exact=True)).to_be_visible()
    expect(page.locator(".cal-event")).to_have_count(4)
    assert_accessible(page)
    screenshot(page, "court-calendar-week")

    # Filter by support person: the unbooked moved and cancelled mentions drop out.
    page.get_by_label("Support person").select_option(label="Sam Support")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".cal-event")).to_have_count(2)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Attendance)).scalar() == 2

    page.get_by_role("link", name="Month view").click()
    assert "view=month" in page.url
    expect(page.locator(".cal-conflict")).to_have_count(2)
    assert_accessible(page)
    screenshot(page, "court-calendar-month")


def test_officer_books_a_person_not_yet_assigned_in_one_step_on_a_phone(phone_page, live_app):
    w = builders.world()
    builders.user("ivy@example.test", "support_person", "Ivy Interpreter")
    trial = builders.event(w.officer, w.case, [w.witness], days=20)
    page = phone_page
    login(page, "officer@example.test", PASSWORD)
    page.goto(f"/court-events/{trial.id}")
    page.get_by_label("In support of").select_option(label=w.witness.reference)
    page.get_by_label("Person").select_option(label="Ivy Interpreter (support person)")
    page.get_by_role("button", name="Book to attend").click()
    # Not yet assigned and no role chosen: said by the role box, nothing booked.
    expect(page.get_by_text("Choose the role they take for the witness").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Their role for the witness, if not yet assigned").select_option("interpreter")
    page.get_by_role("button", name="Book to attend").click()
    expect(page.get_by_text("Ivy Interpreter (Interpreter) for " + w.witness.reference)).to_be_visible()
    # The assignment came with the booking: the witness's page lists it.
    page.goto(f"/witnesses/{w.witness.id}")
    expect(page.get_by_text("Ivy Interpreter — Interpreter")).to_be_visible()
    screenshot(page, "court-event-booked-and-assigned-360")
