"""The main pages on a 360 px phone and on a desktop: nothing scrolls sideways, and axe finds no
serious or critical violation on any of them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, assert_fits, login, screenshot
from tests.helpers import PASSWORD
from witness_support.aids import operations as aid_ops
from witness_support.cases import operations as case_ops
from witness_support.court import operations as court_ops
from witness_support.db import utc_now
from witness_support.extensions import db
from witness_support.ledger import operations as ledger_ops
from witness_support.outcomes import operations as outcome_ops
from witness_support.witnesses import operations as witness_ops


def _data() -> dict[str, Any]:
    w = builders.world()
    witness_ops.assign_support(w.officer, w.witness, w.supporter, "support_worker")
    aid_ops.propose_aid(w.officer, w.witness, w.case, "screen")
    db.session.commit()
    builders.held_visit(w.officer, w.case, w.witness)
    # A mention a few minutes from now: "today" unless that crosses midnight at the court.
    soon = utc_now() + timedelta(minutes=5)
    today = court_ops.schedule_event(w.officer, w.case, kind="mention", starts_at=soon,
                                     ends_at=soon + timedelta(hours=1), witness_ids=[w.witness.id])
    trial = builders.event(w.officer, w.case, [w.witness], days=2)
    court_ops.assign_attendance(w.officer, trial, w.witness, w.supporter)
    # A double booking with a long reason: its badge must wrap, not widen the page.
    clash = builders.event(w.officer, w.case, [w.witness], days=2)
    court_ops.assign_attendance(w.officer, clash, w.witness, w.supporter,
                                "The_court_agreed_to_hear_both_matters_back_to_back_in_the_same_courtroom_today")
    # An administrator's pages name accounts by email, some long.
    admin = builders.user("admin@example.test", "admin", "Ann Admin")
    long_email = builders.user("a.very.long.address.for.an.interpreter.agency@invented-language-services.example.test",
                               "support_person", "Lan Longaddress")
    ledger_ops.record_benefit(w.officer, w.witness, kind="travel", description="Bus fare to the court",
                              provided_on=builders.today_utc(), provider="Invented Shelter Foundation",
                              rationale="The witness has no money for the fare.", amount="45000", currency="IDR")
    # Something on every list of the officer's home page.
    reflecting = witness_ops.create_witness(
        w.officer, legal_name="Invented Reflecting Witness", preferred_language="Khmer",
        reflection_start=builders.today_utc() - timedelta(days=10),
        reflection_end=builders.today_utc() + timedelta(days=50),
    )
    case_ops.start_journey(w.officer, w.case, reflecting)
    defendant = case_ops.add_defendant(w.officer, w.case, name="Invented Co-Accused", custody_status="bailed")
    outcome_ops.record_outcome(w.officer, defendant, verdict="convicted")
    db.session.commit()
    return {"w": w, "trial": trial, "today": today, "clash": clash, "admin": admin, "long_email": long_email}


@pytest.mark.parametrize("width", [360, 1280])
def test_main_pages_fit_the_screen(browser, live_url, live_app, width):
    data = _data()
    w = data["w"]
    context = browser.new_context(base_url=live_url, viewport={"width": width, "height": 800},
                                  is_mobile=width < 600)
    page = context.new_page()
    page.set_default_timeout(15_000)
    pages = {
        "officer@example.test": [
            "/", "/witnesses/", f"/witnesses/{w.witness.id}", f"/witnesses/{w.witness.id}/aids",
            f"/witnesses/{w.witness.id}/benefits", "/cases/", f"/cases/{w.case.id}",
            f"/cases/{w.case.id}/court-events", f"/court-events/{data['trial'].id}",
            f"/court-events/{data['clash'].id}",
            f"/cases/{w.case.id}/court-events/new", "/court/calendar", "/court/calendar?view=week",
        ],
        "prosecutor@example.test": ["/", "/court/readiness", f"/cases/{w.case.id}/disclosure"],
        "support@example.test": ["/", "/court/schedule", "/calendar-feed"],
        "admin@example.test": ["/admin/users", f"/admin/users/{data['long_email'].id}", "/admin/audit"],
    }
    for email, paths in pages.items():
        context.clear_cookies()
        login(page, email, PASSWORD)
        for path in paths:
            page.goto(path)
            assert_fits(page)
            assert_accessible(page)
            if email.startswith("officer") and path == "/":
                # The officer's home: today's and this week's court for their witnesses.
                expect(page.get_by_role("heading", name="Court this week for your witnesses")).to_be_visible()
                zone = ZoneInfo(w.case.court_timezone)
                same_day = data["today"].starts_at.astimezone(zone).date() == utc_now().astimezone(zone).date()
                heading = "Today" if same_day else "Next seven days"
                listed = page.locator(f"h3:text-is('{heading}') + ul")
                expect(listed.get_by_text("Mention, " + w.case.reference)).to_be_visible()
                screenshot(page, f"home-{width}")
            if email.startswith("officer") and path == f"/witnesses/{w.witness.id}":
                screenshot(page, f"witness-timeline-{width}")
            if email.startswith("support") and path == "/court/schedule":
                # The schedule, their main page: cards on a phone, everything on screen.
                need = page.get_by_text("Interpreter:").first
                expect(need).to_be_visible()
                assert need.bounding_box()["x"] + need.bounding_box()["width"] <= width
                link = page.get_by_role("link", name="Download .ics").first
                assert link.bounding_box()["x"] + link.bounding_box()["width"] <= width
                screenshot(page, f"schedule-{width}")
    context.close()
