"""Record a bail decision from the case page end to end: a refusal keeps what was typed, the saved
entry shows in words on the case and witness pages and the timeline, the witness's notice is queued,
and the risk-review task is answered by a protection plan revision."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.helpers import PASSWORD
from witness_support.cases import operations as case_ops
from witness_support.db import today_utc, utc_now
from witness_support.extensions import db
from witness_support.notifications.models import Notification
from witness_support.tasks.models import Task


def test_officer_records_a_bail_decision_and_revises_the_plan(page, live_app):
    w = builders.world()
    case_ops.add_defendant(w.officer, w.case, name="Invented Defendant", custody_status="remanded")
    db.session.commit()
    login(page, "officer@example.test", PASSWORD)
    page.goto(f"/cases/{w.case.id}")
    page.get_by_role("link", name="Record a custody change").click()
    expect(page.get_by_label("What happened")).to_have_value("")  # "Choose…": nothing happened until chosen
    page.get_by_label("What happened").select_option("bailed")
    page.get_by_label("When it happened (court time)").fill((utc_now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Bail: no contact with").select_option(label=w.witness.reference)
    page.get_by_label("Bail: exclusion zones (one a line)").fill("Invented market street")
    page.get_by_role("button", name="Record").click()  # no source: refused, what was typed stays
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.get_by_label("Bail: exclusion zones (one a line)").input_value() == "Invented market street"
    assert_accessible(page)
    page.get_by_label("Source", exact=True).fill("Invented court clerk")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Custody entry recorded")).to_be_visible()
    panel = page.locator("#custody-title").locator("..")
    expect(panel.get_by_text("released on bail since")).to_be_visible()
    expect(panel.get_by_text(f"no contact with {w.witness.reference}")).to_be_visible()
    expect(panel.get_by_text("must not enter: Invented market street")).to_be_visible()
    kinds = db.session.execute(sa.select(Notification.kind).where(Notification.witness_id == w.witness.id))
    assert kinds.scalars().all() == ["bail"]

    page.goto(f"/witnesses/{w.witness.id}")
    expect(page.locator(".story").get_by_text("Custody: Invented Defendant released on bail")).to_be_visible()
    task = db.session.execute(sa.select(Task).where(Task.kind == "custody_risk_review")).scalar_one()
    page.get_by_role("link", name="Revise the plan").click()
    page.get_by_label("Measure 1", exact=True).select_option("escort_to_court")
    page.get_by_label("Details of measure 1").fill("Police escort on trial days")
    page.get_by_label("Who is responsible for measure 1").fill("Invented police liaison")
    page.get_by_label("Next review").fill((today_utc() + timedelta(days=14)).isoformat())
    page.get_by_label("Completes the task").select_option(str(task.id))
    page.get_by_role("button", name="Save the revision").click()
    expect(page.get_by_text("Protection plan revision saved.")).to_be_visible()
    expect(page.get_by_text("Police escort on trial days")).to_be_visible()
    assert_accessible(page)
    db.session.refresh(task)
    assert task.done_at is not None
    screenshot(page, "protection-plan-revised")
