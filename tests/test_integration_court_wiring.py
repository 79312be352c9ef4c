"""Court events reach the other areas: hearing notices, impact-statement dates, ledger testimony dates."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.helpers import at_local
from witness_support.court import operations as court_ops
from witness_support.extensions import db
from witness_support.ledger.operations import testimony_dates as trial_days_of
from witness_support.notifications.models import Notification
from witness_support.outcomes import operations as outcome_ops
from witness_support.outcomes.models import ImpactStatement


def _notices(kind: str) -> list[Notification]:
    return list(db.session.execute(sa.select(Notification).where(Notification.kind == kind)).scalars())


def test_trial_day_set_moved_and_cancelled_queue_notices_for_the_witnesses(
    officer, make_case, make_journey, make_event
):
    case = make_case()
    first, second = make_journey(case=case), make_journey(case=case)
    event = make_event(case, [first.witness])
    assert sorted(n.witness_id for n in _notices("hearing_set")) == sorted([first.witness_id, second.witness_id])
    new_start = at_local(40, 10, case.court_timezone)
    court_ops.move_event(
        officer, event, starts_at=new_start, ends_at=new_start + timedelta(hours=4), reason="Court list changed"
    )
    db.session.commit()
    moved = _notices("hearing_moved")
    assert len(moved) == 2 and all(n.case_id == case.id for n in moved)
    court_ops.cancel_event(officer, event, "Defendant unwell")
    db.session.commit()
    assert len(_notices("hearing_cancelled")) == 2


def test_familiarisation_visits_send_no_hearing_notice(make_case, make_journey, make_event):
    case = make_case()
    journey = make_journey(case=case)
    make_event(case, [journey.witness], kind="familiarisation_visit", days=5)
    assert _notices("hearing_set") == []


def test_a_sentencing_hearing_sets_the_impact_statement_dates(officer, make_case, make_journey, make_event):
    case = make_case()
    journey = make_journey(case=case)
    outcome_ops.record_impact_statement(officer, journey.witness, case, status="drafting")
    db.session.commit()
    event = make_event(case, [], kind="sentencing", days=21)
    statement = db.session.execute(sa.select(ImpactStatement)).scalar_one()
    assert (
        statement.sentencing_date
        == event.starts_at.astimezone(__import__("zoneinfo").ZoneInfo(case.court_timezone)).date()
    )


def test_ledger_testimony_dates_are_the_trial_days_the_witness_is_required_at(
    officer, make_case, make_journey, make_event
):
    case = make_case(court_timezone="Pacific/Auckland")
    journey = make_journey(case=case)
    other = make_journey(case=case)
    # 23:30 local is already the next day in UTC's terms for some zones: the court's date counts.
    trial = make_event(case, [journey.witness], days=10, hour=23, hours=1)
    make_event(case, [other.witness], days=12)
    make_event(case, [journey.witness], kind="familiarisation_visit", days=3)
    cancelled = make_event(case, [journey.witness], days=20)
    court_ops.cancel_event(officer, cancelled, "Vacated")
    db.session.commit()
    local_day = trial.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Pacific/Auckland")).date()
    assert trial_days_of(journey.witness_id, case.id) == [local_day]
    assert trial_days_of(journey.witness_id) == [local_day]
