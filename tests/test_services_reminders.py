"""Follow-up of referrals and the service plan as tasks for the witness's officer: a referral not
answered within its working days, a need whose review date comes near; each raised once however
many passes run, due on a working day of the court's calendar, by the notifications sweep and by
`flask services remind`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import future
from witness_support.db import today_utc, utc_now
from witness_support.extensions import db
from witness_support.notifications import sweep
from witness_support.services import operations as ops
from witness_support.services.reminders import answer_due, raise_due_tasks
from witness_support.tasks.models import Task


@pytest.fixture(autouse=True)
def _calendar(app, monkeypatch):  # noqa: ANN001, ANN202
    monkeypatch.setitem(app.config, "NOTIFICATION_TIMEZONE", "UTC")
    monkeypatch.setitem(app.config, "WORKING_WEEKDAYS", [1, 2, 3, 4, 5])
    monkeypatch.setitem(app.config, "HOLIDAYS", [])
    monkeypatch.setitem(app.config, "REFERRAL_RESPONSE_DAYS", 2)
    monkeypatch.setitem(app.config, "SERVICE_REVIEW_REMINDER_WORKING_DAYS", 5)


@pytest.fixture
def shelter(officer):  # noqa: ANN001, ANN201
    org = ops.save_organisation(
        officer, name="Invented Shelter", kind="shelter", services=["accommodation"], country_code="MY",
        email="intake@shelter.example.org", confidentiality_agreed_on=today_utc() - timedelta(days=3),
        confidentiality_document="MoU 7",
    )
    db.session.commit()
    return org


def _tasks(kind: str) -> list[Task]:
    db.session.expire_all()
    return list(db.session.execute(sa.select(Task).where(Task.kind == kind).order_by(Task.id)).scalars())


def _next_weekday(start: date, isoweekday: int) -> date:
    day = start
    while day.isoweekday() != isoweekday:
        day += timedelta(days=1)
    return day


def _referral(officer, witness, shelter):  # noqa: ANN001, ANN202
    consent = ops.record_consent(officer, witness, purpose="share_with_organisation", organisation=shelter,
                                 service="accommodation", scope=["needs"])
    referral = ops.create_referral(officer, witness, organisation=shelter, service="accommodation", consent=consent,
                                   field_groups=["needs"])
    db.session.commit()
    return referral


def test_the_answer_is_due_in_working_days_of_the_courts_calendar(app, make_witness, monkeypatch):
    witness = make_witness()
    friday = _next_weekday(future(3), 5)
    monday = friday + timedelta(days=3)
    sent = datetime.combine(friday, datetime.min.time(), tzinfo=UTC).replace(hour=10)
    assert answer_due(witness.id, sent).date() == friday + timedelta(days=4)  # Monday, Tuesday
    monkeypatch.setitem(app.config, "HOLIDAYS", [monday.isoformat()])
    due = answer_due(witness.id, sent)
    assert due.date() == friday + timedelta(days=5) and due.hour == 10  # Tuesday, Wednesday


def test_an_unanswered_referral_raises_one_task_on_each_pass(officer, make_witness, shelter):
    witness = make_witness()
    referral = _referral(officer, witness, shelter)
    assert raise_due_tasks()["unanswered_referrals"] == 0
    later = referral.respond_by + timedelta(hours=1)
    assert raise_due_tasks(now=later)["unanswered_referrals"] == 1
    assert raise_due_tasks(now=later + timedelta(days=1))["unanswered_referrals"] == 0
    db.session.commit()
    [task] = _tasks("referral_unanswered")
    assert task.source_id == referral.id and task.assignee_id == officer.id
    assert witness.reference in task.title and "Invented Shelter" in task.title
    assert witness.legal_name not in task.title
    # Due at the close of the next working day after the pass.
    today = later.date()
    next_day = _next_weekday(today + timedelta(days=1), 1) if today.isoweekday() >= 5 else today + timedelta(days=1)
    assert task.due_at.astimezone(UTC).date() == next_day and task.due_at.astimezone(UTC).hour == 17


def test_an_answered_referral_raises_nothing(officer, make_witness, shelter):
    referral = _referral(officer, make_witness(), shelter)
    ops.update_referral(officer, referral, status="accepted")
    db.session.commit()
    assert raise_due_tasks(now=referral.respond_by + timedelta(days=3))["unanswered_referrals"] == 0
    assert _tasks("referral_unanswered") == []


def test_a_need_review_is_raised_once_before_its_date_due_on_a_working_day(officer, make_witness, shelter):
    witness = make_witness()
    sunday = _next_weekday(future(20), 7)
    need = ops.save_need(officer, witness, service="accommodation", status="offered", goal="Safe bed",
                         organisation=shelter, review_on=sunday)
    db.session.commit()
    # Five working days before a Sunday review date is the Monday of that week.
    assert raise_due_tasks(today=sunday - timedelta(days=8))["need_reviews"] == 0
    assert raise_due_tasks(today=sunday - timedelta(days=6))["need_reviews"] == 1
    assert raise_due_tasks(today=sunday - timedelta(days=5))["need_reviews"] == 0
    db.session.commit()
    [task] = _tasks("service_need_review")
    assert task.source_id == need.id and task.assignee_id == officer.id and "accommodation" in task.title
    assert task.due_at.astimezone(UTC).date() == sunday - timedelta(days=2)  # the Friday before
    # A new review date is a new review.
    ops.save_need(officer, witness, service="accommodation", status="in_progress", organisation=shelter,
                  review_on=sunday + timedelta(days=14))
    db.session.commit()
    assert raise_due_tasks(today=sunday + timedelta(days=8))["need_reviews"] == 1


def test_a_met_need_has_no_review(officer, make_witness, shelter):
    witness = make_witness()
    ops.save_need(officer, witness, service="accommodation", status="met", review_on=future(2))
    db.session.commit()
    assert raise_due_tasks(today=future(2))["need_reviews"] == 0


def test_each_pass_of_the_notifications_sweep_raises_them_once(officer, make_witness, shelter):
    witness = make_witness()
    referral = _referral(officer, witness, shelter)
    referral.respond_by = utc_now() - timedelta(hours=1)
    ops.save_need(officer, witness, service="accommodation", status="needed", review_on=today_utc())
    db.session.commit()
    sweep.send_due()
    sweep.send_due()
    assert len(_tasks("referral_unanswered")) == 1
    assert len(_tasks("service_need_review")) == 1


def test_the_cli_pass_raises_them_and_prints_counts_only(app, officer, make_witness, shelter):
    witness = make_witness()
    ops.save_need(officer, witness, service="accommodation", status="needed", review_on=today_utc())
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["services", "remind"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "services reminders raised 0 unanswered referrals, 1 need reviews"
    assert witness.reference not in result.output
    again = runner.invoke(args=["services", "remind"])
    assert "0 unanswered referrals, 0 need reviews" in again.output
    assert len(_tasks("service_need_review")) == 1
