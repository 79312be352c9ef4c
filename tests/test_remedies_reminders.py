"""Remedies reminders as tasks for the witness's officer: claim dates before they fall, an award
unpaid past its due date, a permit 60 and 30 days before expiry, an item the witness needs still
held 30 days after their journey closed; each once, due on a working day of the court's calendar,
raised by the notifications sweep."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.helpers import future, past, review_before_closing
from witness_support.cases import operations as case_ops
from witness_support.cases.models import JourneyTransition
from witness_support.db import today_utc, utc_now
from witness_support.extensions import db
from witness_support.notifications import sweep
from witness_support.remedies import operations as ops
from witness_support.remedies.reminders import raise_reminders
from witness_support.tasks.models import Task


@pytest.fixture(autouse=True)
def _calendar(app, monkeypatch):  # noqa: ANN001, ANN202
    monkeypatch.setitem(app.config, "NOTIFICATION_TIMEZONE", "UTC")
    monkeypatch.setitem(app.config, "WORKING_WEEKDAYS", [1, 2, 3, 4, 5])
    monkeypatch.setitem(app.config, "HOLIDAYS", [])


def _tasks(kind: str) -> list[Task]:
    db.session.expire_all()
    return list(db.session.execute(sa.select(Task).where(Task.kind == kind).order_by(Task.id)).scalars())


def _next_weekday(start: date, isoweekday: int) -> date:
    day = start
    while day.isoweekday() != isoweekday:
        day += timedelta(days=1)
    return day


def test_permit_expiry_raises_at_60_then_30_days_once_each_due_on_a_working_day(app, officer, make_witness):
    witness = make_witness()
    expires = _next_weekday(future(70), 1)  # a Monday
    ops.record_permit(officer, witness, kind="temporary_witness", issued_on=past(100), expires_on=expires)
    db.session.commit()
    raise_reminders(expires - timedelta(days=61))
    assert _tasks("remedy_permit_expiry") == []
    assert raise_reminders(expires - timedelta(days=59)) == 1
    assert raise_reminders(expires - timedelta(days=58)) == 0
    db.session.commit()
    [first] = _tasks("remedy_permit_expiry")
    assert first.assignee_id == officer.id and not first.urgent and witness.reference in first.title
    friday = expires - timedelta(days=3)
    assert first.due_at.date() == friday and first.due_at.hour == 17
    raise_reminders(expires - timedelta(days=29))
    db.session.commit()
    first_again, second = _tasks("remedy_permit_expiry")
    assert first_again.id == first.id and second.urgent
    assert "(in 29 days)" in second.title


def test_a_holiday_moves_the_due_day_back_to_the_working_day_before(app, officer, make_witness, monkeypatch):
    witness = make_witness()
    expires = _next_weekday(future(40), 1)
    friday = expires - timedelta(days=3)
    monkeypatch.setitem(app.config, "HOLIDAYS", [friday.isoformat()])
    ops.record_permit(officer, witness, kind="humanitarian", issued_on=past(10), expires_on=expires)
    db.session.commit()
    raise_reminders(expires - timedelta(days=25))
    [task] = _tasks("remedy_permit_expiry")
    assert task.due_at.date() == friday - timedelta(days=1)


def test_a_permit_recorded_late_gets_only_the_nearest_reminder(app, officer, make_witness):
    witness = make_witness()
    ops.record_permit(officer, witness, kind="humanitarian", issued_on=past(10), expires_on=future(20))
    db.session.commit()
    raise_reminders(today_utc())
    [task] = _tasks("remedy_permit_expiry")
    assert task.urgent and "(in 20 days)" in task.title


def test_claim_dates_become_tasks_within_the_working_days_before_they_fall(app, officer, make_witness, monkeypatch):
    monkeypatch.setitem(app.config, "REMEDY_REMINDER_WORKING_DAYS", 10)
    witness = make_witness()
    hearing = _next_weekday(future(10), 3)  # a Wednesday, ten or more days away
    ops.open_claim(officer, witness, route="civil_claim", respondent="state", hearing_on=hearing,
                   limitation_on=future(300))
    db.session.commit()
    raise_reminders(hearing - timedelta(days=20))
    assert _tasks("remedy_claim_date") == []
    assert raise_reminders(hearing - timedelta(days=7)) == 1
    assert raise_reminders(hearing - timedelta(days=6)) == 0  # already raised: not even read again
    db.session.commit()
    [task] = _tasks("remedy_claim_date")
    assert "the hearing on " + hearing.isoformat() in task.title
    assert task.due_at.date() == hearing - timedelta(days=1)


def test_an_award_unpaid_after_its_due_date_raises_an_urgent_task(app, officer, make_witness):
    witness = make_witness()
    unpaid = ops.open_claim(officer, witness, route="state_fund", respondent="state", amount_awarded="800",
                            awarded_currency="EUR", payment_due_on=past(3))
    paid = ops.open_claim(officer, witness, route="state_fund", respondent="state", amount_awarded="100",
                          awarded_currency="EUR", payment_due_on=past(3))
    ops.record_payment(officer, paid, amount="100", currency="EUR", paid_on=past(4))
    ops.open_claim(officer, witness, route="state_fund", respondent="state", amount_awarded="50",
                   awarded_currency="EUR", payment_due_on=future(3))
    db.session.commit()
    assert raise_reminders(today_utc()) == 2  # the unpaid award, and the payment due in 3 days
    assert raise_reminders(today_utc()) == 0
    db.session.commit()
    [task] = _tasks("remedy_award_unpaid")
    assert task.urgent and task.source_id == unpaid.id and "unpaid since" in task.title


def test_an_award_due_on_a_weekend_is_not_overdue_until_the_next_working_day_passes(app, officer, make_witness):
    witness = make_witness()
    saturday = _next_weekday(future(1), 6)
    ops.open_claim(officer, witness, route="state_fund", respondent="state", amount_awarded="80",
                   awarded_currency="EUR", payment_due_on=saturday)
    db.session.commit()
    raise_reminders(saturday + timedelta(days=2))  # Monday: still the day it must be paid by
    assert _tasks("remedy_award_unpaid") == []
    raise_reminders(saturday + timedelta(days=3))
    assert len(_tasks("remedy_award_unpaid")) == 1


def test_a_needed_item_still_held_30_days_after_the_journey_closed(app, officer, make_witness, make_journey):
    witness = make_witness()
    journey = make_journey(witness=witness)
    needed = ops.record_property(officer, witness, kind="passport", taken_on=past(200), taken_by="Invented Police",
                                 needed_urgently=True, needed_for="Residence application", case_id=journey.case_id)
    ops.record_property(officer, witness, kind="clothing", taken_on=past(200), taken_by="Invented Police",
                        case_id=journey.case_id)
    db.session.commit()
    review_before_closing(officer, journey)
    case_ops.transition_journey(officer, journey, "closed", reason="Case over", override_reason="test")
    db.session.commit()
    raise_reminders(today_utc())
    assert _tasks("remedy_property_held") == []
    db.session.execute(sa.update(JourneyTransition).where(JourneyTransition.journey_id == journey.id)
                       .values(at=utc_now() - timedelta(days=31)))
    db.session.commit()
    assert raise_reminders(today_utc()) == 1
    assert raise_reminders(today_utc()) == 0
    db.session.commit()
    [task] = _tasks("remedy_property_held")
    assert task.source_id == needed.id and task.urgent and "Passport" in task.title


def test_the_notifications_sweep_raises_the_reminders(app, officer, make_witness):
    witness = make_witness()
    ops.record_permit(officer, witness, kind="humanitarian", issued_on=past(10), expires_on=future(50))
    db.session.commit()
    sweep.send_due()
    assert len(_tasks("remedy_permit_expiry")) == 1


def test_the_cli_pass_raises_them_and_prints_a_count_only(app, officer, make_witness):
    witness = make_witness()
    ops.record_permit(officer, witness, kind="humanitarian", issued_on=past(10), expires_on=future(50))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["remedies", "remind"])
    assert result.exit_code == 0 and result.output.strip() == "remedies reminders raised 1"
    assert witness.reference not in result.output
    assert len(_tasks("remedy_permit_expiry")) == 1


@pytest.mark.parametrize("field", ["limitation_on", "filing_due_on", "hearing_on", "payment_due_on"])
def test_each_key_date_falls_due_on_the_court_s_working_day_before_it(app, officer, make_case, make_witness,
                                                                     make_journey, field):
    case = make_case(court_timezone="Asia/Jakarta")
    witness = make_witness()
    make_journey(witness=witness, case=case)
    monday = _next_weekday(future(20), 1)
    award = {"amount_awarded": "500", "awarded_currency": "EUR"} if field == "payment_due_on" else {}
    claim = ops.open_claim(officer, witness, route="civil_claim", respondent="state", case_id=case.id,
                           **{field: monday}, **award)
    db.session.commit()
    assert raise_reminders(monday - timedelta(days=20)) == 0  # not yet within the reminder's working days
    assert raise_reminders(monday - timedelta(days=7)) == 1
    assert raise_reminders(monday - timedelta(days=6)) == 0
    db.session.commit()
    [task] = _tasks("remedy_claim_date")
    assert (task.witness_id, task.case_id, task.source_id) == (witness.id, case.id, claim.id)
    assert f"on {monday.isoformat()}" in task.title
    # The working day before a Monday is the Friday, at the close of business in the court's time zone.
    local = task.due_at.astimezone(ZoneInfo("Asia/Jakarta"))
    assert (local.date(), local.hour, local.minute) == (monday - timedelta(days=3), 17, 0)
