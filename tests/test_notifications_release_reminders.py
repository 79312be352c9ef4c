"""Release reminders raised by the sweep, queued in bulk: who is told, with which key, context,
deadline and audit trail, once only (also with two sweeps at once), in a fixed number of
statements however many reminders are due (SQLite file and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.helpers import CANARY_OFFENDER, review_before_closing
from witness_support.audit import AuditEvent
from witness_support.cases import operations as case_ops
from witness_support.custody import operations as custody_ops
from witness_support.db import today_utc, utc_now
from witness_support.extensions import db
from witness_support.notifications import operations as notify_ops
from witness_support.notifications import sweep
from witness_support.notifications.models import Notification
from witness_support.outcomes import operations as outcome_ops
from witness_support.outcomes.models import ReleaseReminder

KIND = "release_upcoming"


@pytest.fixture
def world(officer, make_case, make_witness, make_journey):  # noqa: ANN001, ANN201
    """A case in a court time zone, with defendants and witnesses (journeys at pre-trial)."""

    def make(witnesses: int = 1, defendants: int = 1, tz: str = "Asia/Jakarta"):  # noqa: ANN202
        case = make_case(court_timezone=tz)
        accused = [case_ops.add_defendant(officer, case, name=f"{CANARY_OFFENDER}-{i}", custody_status="remanded")
                   for i in range(defendants)]
        db.session.commit()
        people = [make_witness() for _ in range(witnesses)]
        journeys = [make_journey(witness=w, case=case) for w in people]
        return case, accused, people, journeys

    return make


def _convict(officer, defendant, days: int):  # noqa: ANN001, ANN202
    outcome = outcome_ops.record_outcome(
        officer, defendant, verdict="convicted", sentence_kind="imprisonment", sentence_months=12,
        proposed_release_date=today_utc() + timedelta(days=days),
    )
    db.session.commit()
    return outcome


def _notices() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.execute(
        sa.select(Notification).where(Notification.kind == KIND).order_by(Notification.dedup_key)
    ).scalars())


def _reminders(outcome_id: int) -> list[tuple]:
    return [tuple(r) for r in db.session.execute(
        sa.select(ReleaseReminder.days, ReleaseReminder.release_date)
        .where(ReleaseReminder.outcome_id == outcome_id).order_by(ReleaseReminder.days)
    )]


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.object_id)
    ).scalars())


def test_only_the_nearest_distance_is_told_and_every_distance_recorded(app, officer, world):
    case, [defendant], people, _ = world(witnesses=2)
    outcome = _convict(officer, defendant, days=5)  # both the 30- and the 7-day reminders are due
    today = today_utc()
    release = (today + timedelta(days=5)).isoformat()
    before = utc_now()
    assert sweep.raise_release_reminders(today) == 2
    notices = _notices()
    # No 30-day notice a week before release: only the 7-day one, with today's key and context.
    assert [(n.witness_id, n.dedup_key) for n in notices] == sorted(
        (w.id, f"release-upcoming:o{outcome.id}:7d:{release}:w{w.id}") for w in people)
    for notice in notices:
        assert notice.case_id == case.id and notice.status == "pending" and notice.attempts == 0
        assert notice.context == {"offender": f"{CANARY_OFFENDER}-0", "release_date": release, "days": 5}
        assert before <= notice.triggered_at <= utc_now()
        assert notice.next_attempt_at <= utc_now() and not notice.language_fallback
        assert notice.channel is None and notice.sent_at is None
    # Instants are stored as every other notice's: the outbox compares them in SQL (due, escalation).
    deadline = notices[0].deadline_at
    assert db.session.execute(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.kind == KIND, Notification.deadline_at <= deadline, Notification.deadline_at >= deadline,
        Notification.next_attempt_at <= utc_now(), Notification.triggered_at == notices[0].triggered_at,
    )).scalar() == 2
    assert _reminders(outcome.id) == [(7, today + timedelta(days=5)), (30, today + timedelta(days=5))]
    # Found once only.
    assert sweep.raise_release_reminders(today) == 0
    assert len(_notices()) == 2


def test_closed_journeys_opted_out_are_not_told_and_opted_out_witnesses_are_audited(app, officer, world):
    case, [defendant], people, journeys = world(witnesses=3)
    told, opted, closed = people
    notify_ops.set_preferences(officer, opted, language="en", opted_out=[KIND, "hearing_set"])
    notify_ops.set_preferences(officer, told, language="en", opted_out=["hearing_set"])
    # A closed journey stays enrolled for offender notices unless the witness opts out, as here.
    review_before_closing(officer, journeys[2])
    custody_ops.close_journey(officer, journeys[2], reason="Moved abroad; asked not to be contacted",
                              stay_enrolled=False)
    db.session.commit()
    outcome = _convict(officer, defendant, days=30)
    assert sweep.raise_release_reminders(today_utc()) == 1
    [notice] = _notices()
    assert notice.witness_id == told.id
    assert notice.dedup_key.startswith(f"release-upcoming:o{outcome.id}:30d:")
    [queued] = [e for e in _events("notification.queue") if e.object_id == notice.id]
    assert (queued.object_type, queued.witness_id, queued.actor_id) == ("notification", told.id, None)
    assert queued.details == {"kind": KIND, "case_id": case.id}
    [refused] = _events("notification.opted_out")
    assert (refused.object_type, refused.object_id, refused.witness_id) == ("witness", opted.id, opted.id)
    assert refused.details == {"kind": KIND, "case_id": case.id}
    assert not [e for e in _events("notification.opted_out") + _events("notification.queue")
                if e.witness_id == closed.id and e.details.get("kind") == KIND]
    assert _reminders(outcome.id) == [(30, today_utc() + timedelta(days=30))]


def test_closed_journeys_still_enrolled_are_told_until_the_sentence_ends(app, officer, world):
    case, [defendant], [witness], [journey] = world(witnesses=1)
    review_before_closing(officer, journey)
    case_ops.transition_journey(officer, journey, "closed", reason="Trial over")  # enrolled by default
    db.session.commit()
    outcome = _convict(officer, defendant, days=30)
    assert sweep.raise_release_reminders(today_utc()) == 1
    [notice] = _notices()
    assert (notice.witness_id, notice.dedup_key) == (witness.id, f"release-upcoming:o{outcome.id}:30d:"
                                                     f"{outcome.proposed_release_date.isoformat()}:w{witness.id}")


def test_each_defendant_released_is_its_own_notice(app, officer, world):
    case, accused, [witness], _ = world(witnesses=1, defendants=2)
    first, second = (_convict(officer, d, days=days) for d, days in zip(accused, (20, 6), strict=True))
    assert sweep.raise_release_reminders(today_utc()) == 2
    by_key = {n.dedup_key: n.context for n in _notices()}
    assert by_key == {
        f"release-upcoming:o{first.id}:30d:{first.proposed_release_date.isoformat()}:w{witness.id}":
            {"offender": f"{CANARY_OFFENDER}-0", "release_date": first.proposed_release_date.isoformat(), "days": 20},
        f"release-upcoming:o{second.id}:7d:{second.proposed_release_date.isoformat()}:w{witness.id}":
            {"offender": f"{CANARY_OFFENDER}-1", "release_date": second.proposed_release_date.isoformat(), "days": 6},
    }


def test_deadline_counts_working_days_in_each_court_time_zone(app, officer, world):
    # Tomorrow is a holiday east of the date line only: the same instant gets different deadlines.
    east, west = "Pacific/Kiritimati", "Pacific/Pago_Pago"  # UTC+14 and UTC-11
    holiday = utc_now().astimezone(ZoneInfo(east)).date() + timedelta(days=1)
    app.config.update(WORKING_WEEKDAYS=[1, 2, 3, 4, 5, 6, 7], HOLIDAYS=[holiday.isoformat()])
    east_case, [east_defendant], _, _ = world(witnesses=2, tz=east)
    west_case, [west_defendant], _, _ = world(witnesses=1, tz=west)
    _convict(officer, east_defendant, days=10)
    _convict(officer, west_defendant, days=10)
    assert sweep.raise_release_reminders(today_utc()) == 3
    notices = _notices()
    zones = {east_case.id: east, west_case.id: west}
    for notice in notices:
        assert notice.deadline_at == notify_ops.deadline_for(KIND, notice.triggered_at, zones[notice.case_id])
        expected = timedelta(days=2) if notice.case_id == east_case.id else timedelta(days=1)
        assert notice.deadline_at - notice.triggered_at == expected


def _scenario(officer, world, outcomes: int, witnesses: int) -> None:  # noqa: ANN001
    """`outcomes` defendants due (two per case, cases in two time zones), each case with
    `witnesses` witnesses of whom one opted out of release news."""
    for index in range(0, outcomes, 2):
        count = min(2, outcomes - index)
        _, accused, people, _ = world(witnesses=witnesses, defendants=count,
                                      tz="Asia/Jakarta" if index % 4 == 0 else "Asia/Bangkok")
        notify_ops.set_preferences(officer, people[0], language="en", opted_out=[KIND])
        db.session.commit()
        for offset, defendant in enumerate(accused):
            _convict(officer, defendant, days=5 + offset * 10)


def test_statements_do_not_grow_with_reminders_or_witnesses(app, officer, world, count_queries):
    _scenario(officer, world, outcomes=1, witnesses=2)
    with count_queries() as small:
        assert sweep.raise_release_reminders(today_utc()) == 1
    _scenario(officer, world, outcomes=7, witnesses=5)
    with count_queries() as large:
        assert sweep.raise_release_reminders(today_utc()) == 7 * 4
    assert len(_events("notification.opted_out")) == 1 + 7
    # The read that finds something due, then the five writes and reads of the set-based queuing.
    assert len(small) == len(large) <= 6, (small, large)
    with count_queries() as nothing_due:
        assert sweep.raise_release_reminders(today_utc()) == 0
    # A pass with nothing due (most cron passes) only reads: no write lock on SQLite.
    assert len(nothing_due) == 1
    assert nothing_due[0].lstrip().upper().startswith("SELECT"), nothing_due


@pytest.mark.real_commits
def test_two_sweeps_at_once_record_each_reminder_once_and_tell_each_witness_once(app, officer, world):
    witnesses = []
    for _ in range(3):
        _, [defendant], people, _ = world(witnesses=3)
        _convict(officer, defendant, days=4)  # 30- and 7-day reminders both due
        witnesses += people
    start = threading.Barrier(2, timeout=30)
    counts: list[int] = []
    errors: list[BaseException] = []

    def server() -> None:
        try:
            with app.app_context():
                start.wait()
                counts.append(sweep.raise_release_reminders(today_utc()))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=server) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(counts) == len(witnesses) == 9
    assert sorted(n.witness_id for n in _notices()) == sorted(w.id for w in witnesses)
    reminders = db.session.execute(sa.select(sa.func.count()).select_from(ReleaseReminder)).scalar()
    assert reminders == 3 * 2
    queued = [e for e in _events("notification.queue") if e.details.get("kind") == KIND]
    assert sorted(e.object_id for e in queued) == sorted(n.id for n in _notices())


def test_the_recording_statement_is_built_per_database_kind(app):
    """Built once and kept, but one per database: a process that has served SQLite (a test, a
    migration check) must not hand SQLite's ON CONFLICT construct to PostgreSQL."""
    from sqlalchemy.dialects import postgresql, sqlite

    from witness_support.notifications import sweep

    days = (7, 30)
    on_sqlite, on_postgresql = sweep._record_statement("sqlite", days), sweep._record_statement("postgresql", days)
    assert "ON CONFLICT" in str(on_sqlite.compile(dialect=sqlite.dialect()))
    assert "ON CONFLICT" in str(on_postgresql.compile(dialect=postgresql.dialect()))


@pytest.mark.real_commits
def test_due_command_counts_what_the_next_sweep_would_do_and_changes_nothing(app, officer, world):
    _, [near, far], _, _ = world(witnesses=2, defendants=2)
    _convict(officer, near, days=5)  # the 7-day and 30-day reminders are due: the sweep tells the nearest
    _convict(officer, far, days=20)  # only the 30-day one
    runner = app.test_cli_runner()
    result = runner.invoke(args=["notifications", "due"])
    assert result.exit_code == 0, result.output
    waiting = db.session.execute(sa.select(sa.func.count()).select_from(Notification)).scalar()  # the verdicts'
    assert result.output.splitlines() == ["release reminders due 3 (7 days: 1, 30 days: 2)",
                                          f"notices due to send {waiting}"]
    assert _notices() == []
    assert db.session.execute(sa.select(sa.func.count()).select_from(ReleaseReminder)).scalar() == 0
    assert sweep.raise_release_reminders(today_utc()) == 4  # two witnesses for each defendant
    result = runner.invoke(args=["notifications", "due"])
    assert result.output.splitlines() == ["release reminders due 0", f"notices due to send {waiting + 4}"]
