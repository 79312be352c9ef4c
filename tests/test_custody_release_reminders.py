"""Release dates in the custody history drive the same reminders as an outcome's release date: the
release-approaching notice (to enrolled witnesses whose journey closed too) and a safety-planning
task before it, a safety-planning task before a parole hearing, a check-in task within 2 working
days once the date is reached; each once, also with both sources giving the date and with two
sweeps at once (SQLite file and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from tests.helpers import CANARY_OFFENDER, future, review_before_closing, sweep_on_two_servers
from witness_support.cases import operations as case_ops
from witness_support.custody import operations as custody_ops
from witness_support.custody.models import CustodyReminder
from witness_support.db import today_utc, utc_now
from witness_support.extensions import db
from witness_support.notifications import custody_reminders, sweep
from witness_support.notifications import operations as notify_ops
from witness_support.notifications.models import Notification
from witness_support.outcomes import operations as outcome_ops
from witness_support.tasks.models import Task
from witness_support.workdays import add_working_days

TZ = "UTC"  # the court's and the sweep's day are the same day: a release date "today" is today for both


@pytest.fixture
def held(officer, make_case, make_witness, make_journey):  # noqa: ANN001, ANN201
    """A case with a remanded defendant and witnesses (journeys open)."""

    def make(witnesses: int = 2, defendants: int = 1):  # noqa: ANN202
        case = make_case(court_timezone=TZ)
        accused = [case_ops.add_defendant(officer, case, name=f"{CANARY_OFFENDER}-{i}", custody_status="remanded")
                   for i in range(defendants)]
        db.session.commit()
        people = [make_witness() for _ in range(witnesses)]
        journeys = [make_journey(witness=w, case=case) for w in people]
        return case, accused, people, journeys

    return make


def _record(officer, defendant, kind, hours_ago: int = 2, **fields):  # noqa: ANN001, ANN202
    event = custody_ops.record_custody_event(officer, defendant, kind=kind, source="Prison by letter",
                                             occurred_at=utc_now() - timedelta(hours=hours_ago), **fields)
    db.session.commit()
    return event


def _raise() -> int:
    raised = custody_reminders.raise_custody_reminders(today_utc(), utc_now())
    db.session.commit()
    return raised


def _notices(kind: str) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.execute(
        sa.select(Notification).where(Notification.kind == kind).order_by(Notification.witness_id)
    ).scalars())


def _tasks(kind: str) -> list[Task]:
    db.session.expire_all()
    return list(db.session.execute(sa.select(Task).where(Task.kind == kind).order_by(Task.witness_id)).scalars())


def test_a_sentence_end_approaching_tells_enrolled_witnesses_and_raises_safety_planning(app, officer, held):
    case, [defendant], [open_one, enrolled, opted_out], journeys = held(witnesses=3)
    review_before_closing(officer, journeys[1])
    custody_ops.close_journey(officer, journeys[1], reason="Trial over", stay_enrolled=True)
    review_before_closing(officer, journeys[2])
    custody_ops.close_journey(officer, journeys[2], reason="Moved abroad", stay_enrolled=False)
    db.session.commit()
    release = future(20)
    event = _record(officer, defendant, "sentenced", release_date=release)
    assert _raise() == 1
    notices = _notices("release_upcoming")
    assert [(n.witness_id, n.dedup_key) for n in notices] == [
        (w.id, f"release-upcoming:d{defendant.id}:30d:{release.isoformat()}:w{w.id}") for w in (open_one, enrolled)]
    assert notices[0].context == {"offender": f"{CANARY_OFFENDER}-0", "release_date": release.isoformat(),
                                  "days": 20}
    tasks = _tasks("safety_planning")
    assert [(t.witness_id, t.case_id, t.source_type, t.source_id) for t in tasks] == [
        (w.id, case.id, "custody_event", event.id) for w in (open_one, enrolled)]
    assert all(t.assignee_id == officer.id and not t.done_at and t.due_at > utc_now() for t in tasks)
    # Raised once however often the sweep runs.
    assert _raise() == 0
    assert len(_notices("release_upcoming")) == 2 and len(_tasks("safety_planning")) == 2


def test_only_the_nearest_distance_is_told(app, officer, held):
    _, [defendant], [witness], _ = held(witnesses=1)
    release = future(5)
    _record(officer, defendant, "sentenced", release_date=release)
    assert _raise() == 1
    [notice] = _notices("release_upcoming")
    assert notice.dedup_key == f"release-upcoming:d{defendant.id}:7d:{release.isoformat()}:w{witness.id}"
    assert _raise() == 0


def test_the_outcome_and_the_custody_history_giving_the_same_date_tell_it_once(app, officer, held):
    _, [defendant], people, _ = held(witnesses=2)
    release = future(25)
    _record(officer, defendant, "sentenced", release_date=release)
    outcome_ops.record_outcome(officer, defendant, verdict="convicted", sentence_kind="imprisonment",
                               sentence_months=12, proposed_release_date=release)
    db.session.commit()
    sweep.send_due()
    notices = _notices("release_upcoming")
    assert sorted(n.witness_id for n in notices) == sorted(w.id for w in people)
    assert all(":o" in n.dedup_key for n in notices)  # the outcome's reminder told it
    assert sorted(t.witness_id for t in _tasks("safety_planning")) == sorted(w.id for w in people)
    sweep.send_due()
    assert len(_notices("release_upcoming")) == 2 and len(_tasks("safety_planning")) == 2


def test_a_pass_with_nothing_new_due_reads_once_and_writes_nothing(app, officer, held, count_queries):
    """Cron runs the sweep every minute: once the dates' reminders are raised, the custody part of a
    pass is one read, whatever the number of dates in the window and however many kinds."""
    _, [sentenced, hearing, reached], _, _ = held(witnesses=2, defendants=3)
    _record(officer, sentenced, "sentenced", release_date=future(5))
    _record(officer, hearing, "parole_hearing", hearing_on=future(20))
    _record(officer, reached, "sentenced", release_date=today_utc())
    assert _raise() == 3
    with count_queries() as statements:
        assert _raise() == 0
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("SELECT")
    assert len(_notices("release_upcoming")) == 2 and len(_tasks("release_check_in")) == 2


def test_a_later_entry_or_a_correction_replaces_the_release_date(app, officer, held):
    _, [first, second], _, _ = held(witnesses=1, defendants=2)
    _record(officer, first, "sentenced", hours_ago=5, release_date=future(20))
    _record(officer, first, "sentenced", hours_ago=1, release_date=future(400))  # resentenced on appeal
    wrong = _record(officer, second, "sentenced", hours_ago=5, release_date=future(10))
    custody_ops.record_custody_event(officer, second, kind="sentenced", source="Court record",
                                     occurred_at=utc_now() - timedelta(hours=4), release_date=future(300),
                                     corrects_id=wrong.id, note="The release date was mistyped")
    db.session.commit()
    assert _raise() == 0
    assert _notices("release_upcoming") == [] and _tasks("safety_planning") == []


def test_no_release_to_plan_for_a_defendant_at_large_or_removed(app, officer, held):
    _, [escaped, removed], _, _ = held(witnesses=1, defendants=2)
    _record(officer, escaped, "sentenced", hours_ago=5, release_date=future(20))
    _record(officer, escaped, "escaped", hours_ago=1)
    _record(officer, removed, "sentenced", hours_ago=5, release_date=future(20))
    _record(officer, removed, "deported", hours_ago=1)
    assert _raise() == 0
    assert _notices("release_upcoming") == []


def test_a_temporary_release_approaching_is_told_too(app, officer, held):
    _, [defendant], [witness], _ = held(witnesses=1)
    _record(officer, defendant, "temporary_release", release_date=future(6))
    assert _raise() == 1
    [notice] = _notices("release_upcoming")
    assert notice.witness_id == witness.id and notice.context["days"] == 6


def test_a_parole_hearing_approaching_raises_safety_planning_and_no_second_notice(app, officer, held):
    _, [defendant], [witness], _ = held(witnesses=1)
    event = _record(officer, defendant, "parole_hearing", hearing_on=future(12))
    assert [n.witness_id for n in _notices("parole_hearing")] == [witness.id]  # told when it was scheduled
    assert _raise() == 1
    [task] = _tasks("safety_planning")
    assert (task.witness_id, task.source_type, task.source_id) == (witness.id, "custody_event", event.id)
    assert "parole or licence hearing" in task.title and future(12).isoformat() in task.title
    assert len(_notices("parole_hearing")) == 1 and _notices("release_upcoming") == []


def test_a_release_date_reached_raises_a_check_in_within_two_working_days(app, officer, held):
    case, [defendant], people, _ = held(witnesses=2)
    event = _record(officer, defendant, "sentenced", release_date=today_utc())
    before = utc_now()
    assert _raise() == 1
    tasks = _tasks("release_check_in")
    assert [(t.witness_id, t.source_type, t.source_id) for t in tasks] == [
        (w.id, "custody_event", event.id) for w in people]
    config = current_app.config
    latest = add_working_days(utc_now(), 2, tz=TZ, weekdays=config["WORKING_WEEKDAYS"], holidays=config["HOLIDAYS"])
    earliest = add_working_days(before, 2, tz=TZ, weekdays=config["WORKING_WEEKDAYS"], holidays=config["HOLIDAYS"])
    assert all(earliest <= t.due_at <= latest for t in tasks)
    assert _raise() == 0
    # The officer then records the release: its check-in is the one already raised.
    _record(officer, defendant, "released", hours_ago=0)
    assert len(_tasks("release_check_in")) == 2
    assert len(_tasks("custody_risk_review")) >= 2  # the release itself is reviewed as always


def test_a_recorded_release_and_then_the_date_reached_check_in_once(app, officer, held):
    _, [defendant], [witness], _ = held(witnesses=1)
    _record(officer, defendant, "sentenced", hours_ago=3, release_date=today_utc())
    _record(officer, defendant, "released", hours_ago=1)
    assert [t.witness_id for t in _tasks("release_check_in")] == [witness.id]
    assert _raise() == 0  # released: nothing left to remind of
    assert len(_tasks("release_check_in")) == 1


def test_an_outcome_release_date_reached_raises_the_check_in_too(app, officer, held):
    _, [defendant], [witness], _ = held(witnesses=1)
    outcome = outcome_ops.record_outcome(officer, defendant, verdict="convicted", sentence_kind="imprisonment",
                                         sentence_months=12, proposed_release_date=future(3))
    db.session.commit()
    assert custody_reminders.raise_custody_reminders(today_utc() + timedelta(days=3), utc_now()) == 1
    db.session.commit()
    [task] = _tasks("release_check_in")
    assert (task.witness_id, task.source_type, task.source_id) == (witness.id, "outcome", outcome.id)


@pytest.mark.real_commits
def test_two_concurrent_sweeps_send_each_custody_notice_once(app, officer, held, smtp_server):
    case, [bailed, sentenced], people, _ = held(witnesses=4, defendants=2)
    for index, witness in enumerate(people):
        notify_ops.set_preferences(officer, witness, channel="email", language="en",
                                   email=f"custody-{index}@example.test", contact_is_safe=True)
    db.session.commit()
    _record(officer, bailed, "bailed", hours_ago=5, conditions=[{"kind": "no_contact", "witness_id": people[0].id}])
    _record(officer, bailed, "escaped", hours_ago=1)
    _record(officer, sentenced, "sentenced", hours_ago=3, release_date=future(10))
    queued = {n.id for n in _notices("bail") + _notices("escaped") + _notices("custody_update")}
    assert len(queued) == 12
    results, errors = sweep_on_two_servers(app)
    assert errors == []
    sent_1, sent_2 = set(results["app-1"].sent_ids), set(results["app-2"].sent_ids)
    assert sent_1.isdisjoint(sent_2)
    release = _notices("release_upcoming")
    assert sorted(n.witness_id for n in release) == sorted(w.id for w in people)  # raised once, by one sweep
    assert sent_1 | sent_2 == queued | {n.id for n in release}
    recipients = sorted(m["To"] for m in smtp_server.messages)
    # Each witness: the bail decision, the escape, the sentence, the release approaching; each once.
    assert recipients == sorted(f"custody-{i}@example.test" for i in range(4) for _ in range(4))
    assert db.session.execute(sa.select(sa.func.count()).select_from(CustodyReminder)).scalar() == 1
    assert len(_tasks("safety_planning")) == 4
    rows = db.session.execute(sa.select(Notification.status, Notification.attempts)).all()
    assert set(rows) == {("sent", 1)}
