"""Outcomes without HTTP: verdicts move journeys and raise tasks, history is kept, notices are queued."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from witness_support.cases.models import Defendant, Journey
from witness_support.db import today_utc, utc_now
from witness_support.errors import Conflict, ValidationFailed
from witness_support.extensions import db
from witness_support.notifications import operations as notify_ops
from witness_support.notifications.models import Notification
from witness_support.outcomes import operations
from witness_support.outcomes.models import ImpactStatement, Outcome, OutcomeChange
from witness_support.tasks.models import Task
from witness_support.workdays import add_working_days


def _notices(kind: str | None = None) -> list[Notification]:
    query = sa.select(Notification).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.execute(query).scalars())


def _tasks(kind: str) -> list[Task]:
    return list(db.session.execute(sa.select(Task).where(Task.kind == kind).order_by(Task.id)).scalars())


def test_verdict_moves_journeys_raises_plan_revision_and_queues_notices(app, officer, trial_case):
    setup = trial_case(witnesses=2)
    outcome = operations.record_outcome(
        officer, setup.defendant, verdict="convicted", charges="Trafficking in persons",
        sentence_kind="imprisonment", sentence_months=96, sentenced_on=today_utc(),
        proposed_release_date=today_utc() + timedelta(days=2000), appeal_deadline=today_utc() + timedelta(days=14),
    )
    db.session.commit()
    for journey in setup.journeys:
        db.session.refresh(journey)
        assert journey.stage == "post_trial"
    revisions = _tasks("revise_protection_plan")
    assert {t.witness_id for t in revisions} == {w.id for w in setup.witnesses}
    expected_due = add_working_days(
        revisions[0].created_at, 5, tz="Asia/Jakarta", weekdays=[1, 2, 3, 4, 5], holidays=[]
    )
    assert abs((revisions[0].due_at - expected_due).total_seconds()) < 60
    references = {w.id: w.reference for w in setup.witnesses}
    assert all(references[t.witness_id] in t.title for t in revisions)
    assert "CANARY" not in " ".join(t.title for t in revisions)
    assert len(_notices("verdict")) == 2 and len(_notices("sentence")) == 2
    assert db.session.get(Defendant, setup.defendant.id).custody_status == "sentenced"
    assert [c.kind for c in outcome.changes] == ["verdict"]


def test_verdict_is_kept_when_the_risk_rule_refuses_the_move(app, officer, trial_case):
    setup = trial_case(post_trial_assessed=False)
    outcome = operations.record_outcome(officer, setup.defendant, verdict="acquitted")
    db.session.commit()
    assert db.session.get(Outcome, outcome.id).verdict == "acquitted"
    assert db.session.get(Journey, setup.journey.id).stage == "trial"
    [task] = _tasks("post_trial_assessment")
    assert task.urgent and task.witness_id == setup.witness.id
    assert len(_notices("verdict")) == 1
    assert len(_tasks("revise_protection_plan")) == 1


def test_bad_outcome_is_refused_and_nothing_changes(app, officer, trial_case):
    setup = trial_case()
    with pytest.raises(ValidationFailed) as caught:
        operations.record_outcome(officer, setup.defendant, verdict="acquitted", sentence_kind="imprisonment",
                                  sentence_months=12)
    assert "sentence_kind" in caught.value.field_errors
    db.session.rollback()
    with pytest.raises(ValidationFailed) as caught:
        operations.record_outcome(officer, setup.defendant, verdict="guilty-ish")
    assert "verdict" in caught.value.field_errors
    db.session.rollback()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Outcome)).scalar() == 0
    assert _notices() == []


def test_second_outcome_for_a_defendant_conflicts(app, officer, trial_case):
    setup = trial_case()
    operations.record_outcome(officer, setup.defendant, verdict="convicted")
    db.session.commit()
    with pytest.raises(Conflict):
        operations.record_outcome(officer, setup.defendant, verdict="convicted")


def test_changes_are_kept_as_history_and_notify(app, officer, prosecutor, trial_case):
    setup = trial_case()
    outcome = operations.record_outcome(officer, setup.defendant, verdict="convicted")
    db.session.commit()
    operations.update_outcome(prosecutor, outcome, sentence_kind="imprisonment", sentence_months=60,
                              sentenced_on=today_utc(), proposed_release_date=today_utc() + timedelta(days=900))
    operations.update_outcome(officer, outcome, appeal_lodged_by="defence", appeal_lodged_on=today_utc())
    operations.update_outcome(officer, outcome, appeal_outcome="dismissed")
    operations.update_outcome(officer, outcome, custody="escaped", note="Escaped from transfer")
    db.session.commit()
    kinds = [c.kind for c in db.session.execute(
        sa.select(OutcomeChange).where(OutcomeChange.outcome_id == outcome.id).order_by(OutcomeChange.id)).scalars()]
    assert kinds == ["verdict", "sentence", "appeal_lodged", "appeal_outcome", "custody"]
    assert [n.kind for n in _notices()] == ["verdict", "sentence", "appeal_lodged", "appeal_outcome", "escaped"]
    escaped = _notices("escaped")[0]
    # Immediately: the deadline is the immediate window, not a working day.
    assert escaped.deadline_at - escaped.triggered_at == timedelta(minutes=60)
    assert db.session.get(Defendant, setup.defendant.id).custody_status == "at_large"


def test_appeal_outcome_needs_a_lodged_appeal(app, officer, trial_case):
    setup = trial_case()
    outcome = operations.record_outcome(officer, setup.defendant, verdict="convicted")
    db.session.commit()
    with pytest.raises(ValidationFailed) as caught:
        operations.update_outcome(officer, outcome, appeal_outcome="allowed")
    assert "appeal_outcome" in caught.value.field_errors
    db.session.rollback()
    assert db.session.get(Outcome, outcome.id).appeal_outcome is None


def test_opted_out_witness_gets_no_verdict_notice(app, officer, trial_case):
    setup = trial_case(witnesses=2)
    notify_ops.set_preferences(officer, setup.witnesses[0], channel="in_person", language="en",
                               opted_out=["verdict", "sentence"])
    db.session.commit()
    operations.record_outcome(officer, setup.defendant, verdict="convicted")
    db.session.commit()
    assert [n.witness_id for n in _notices("verdict")] == [setup.witnesses[1].id]


def test_working_days_skip_weekends_and_holidays():
    friday = datetime(2026, 12, 24, 9, 0, tzinfo=UTC)  # a Thursday; the 25th a holiday, then a weekend
    assert add_working_days(friday, 1, tz="UTC", weekdays=[1, 2, 3, 4, 5], holidays=["2026-12-25"]) == datetime(
        2026, 12, 28, 9, 0, tzinfo=UTC)
    assert add_working_days(friday, 1, tz="UTC", weekdays=[1, 2, 3, 4, 5], holidays=[]) == datetime(
        2026, 12, 25, 9, 0, tzinfo=UTC)


def test_holidays_setting_moves_the_deadline(app):
    app.config["HOLIDAYS"] = ["2026-12-25"]
    thursday = datetime(2026, 12, 24, 9, 0, tzinfo=UTC)
    assert notify_ops.deadline_for("verdict", thursday) == datetime(2026, 12, 28, 9, 0, tzinfo=UTC)
    assert notify_ops.deadline_for("escaped", thursday) == thursday + timedelta(minutes=60)


def test_same_dedup_key_never_queues_twice(app, officer, make_witness):
    witness = make_witness()
    now = utc_now()
    first = notify_ops.queue_notice(witness.id, "verdict", context={"x": 1}, triggered_at=now, dedup_key="k1")
    second = notify_ops.queue_notice(witness.id, "verdict", context={"x": 1}, triggered_at=now, dedup_key="k1")
    db.session.commit()
    assert first.id == second.id
    assert len(_notices()) == 1


def test_hearing_change_uses_court_local_time(app, officer, trial_case):
    setup = trial_case()
    old = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
    new = datetime(2027, 3, 8, 3, 30, tzinfo=UTC)
    [notice] = notify_ops.notify_hearing_change(
        setup.case.id, "moved", event_id=7, old_start=old, new_start=new, court_timezone="Asia/Jakarta"
    )
    db.session.commit()
    assert notice.kind == "hearing_moved"
    assert notice.context["new_start"] == "2027-03-08 10:30 (Asia/Jakarta)"
    again = notify_ops.notify_hearing_change(
        setup.case.id, "moved", event_id=7, old_start=old, new_start=new, court_timezone="Asia/Jakarta"
    )
    assert again[0].id == notice.id


def test_impact_statement_opinion_warning(app, officer, trial_case):
    setup = trial_case()
    statement = operations.record_impact_statement(
        officer, setup.witness, setup.case, status="drafting",
        text="I cannot sleep. He should get the maximum sentence and rot in prison for 20 years.",
    )
    assert statement.sentence_opinion_warnings
    calm = operations.record_impact_statement(
        officer, setup.witness, setup.case, status="drafting", text="I cannot sleep and I lost my job."
    )
    assert calm.id == statement.id and calm.sentence_opinion_warnings == []


def test_impact_statement_reminder_ten_days_before_sentencing(app, officer, trial_case):
    setup = trial_case(witnesses=3)
    today = today_utc()
    open_soon = operations.record_impact_statement(officer, setup.witnesses[0], setup.case, status="drafting",
                                                   sentencing_date=today + timedelta(days=10))
    operations.record_impact_statement(officer, setup.witnesses[1], setup.case, status="submitted",
                                       sentencing_date=today + timedelta(days=10))
    operations.record_impact_statement(officer, setup.witnesses[2], setup.case, status="offered",
                                       sentencing_date=today + timedelta(days=11))
    db.session.commit()
    assert operations.raise_statement_reminders(today) == 1
    assert operations.raise_statement_reminders(today) == 0
    db.session.commit()
    [task] = _tasks("impact_statement")
    assert task.witness_id == setup.witnesses[0].id
    assert db.session.get(ImpactStatement, open_soon.id).reminder_task_id == task.id
    # The sentencing hearing moves: the statement follows it and is reminded again in time.
    operations.set_sentencing_date(setup.case.id, today + timedelta(days=5))
    assert operations.raise_statement_reminders(today) == 2


def test_impact_statement_due_date_before_sentencing(app, officer, trial_case):
    setup = trial_case()
    with pytest.raises(ValidationFailed) as caught:
        operations.record_impact_statement(officer, setup.witness, setup.case, sentencing_date=date(2027, 1, 1),
                                           due_date=date(2027, 2, 1))
    assert "due_date" in caught.value.field_errors
