"""Dates in a defendant's custody history drive the reminders an outcome's release date drives.

A sentence end or a temporary release recorded in the custody history is a known release date:
the release-approaching notice goes to the case's witnesses (enrolled witnesses whose journey
closed included) at the nearest of RELEASE_REMINDER_DAYS before it, and each witness's officer
gets a safety-planning task. A parole or licence hearing coming up (which may release the
defendant) raises the safety-planning task too; its notice went out when it was scheduled. A
release date reached (from the custody history or the outcome) raises a check-in task due within
2 working days in the court's calendar, unless a recorded release already raised one.

A date told by the outcome's reminders (the same defendant and date) is not told again here. Each
reminder is recorded in `custody_reminders` under a unique key before anyone is told, so two sweeps
at once raise it once: the second waits on the first's row, then inserts nothing and tells nobody.
Only the latest standing entry with a release date counts (a later sentence or a correction
replaces it), and nothing is raised for a defendant released, at large or removed.

Run by every pass of the notifications sweep through its `sweep_started` signal (connected with
the custody receivers at start-up): the receiver writes rows and flushes, the sweep commits.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from ..cases.models import Case, CustodyStatus, Defendant
from ..custody.models import CustodyEvent, CustodyReminder, EventKind, ReminderKind
from ..db import utc_now
from ..extensions import db
from ..outcomes.models import Outcome
from ..tasks.models import Task
from ..tasks.operations import create_task
from ..witnesses.models import Witness
from ..workdays import add_working_days
from .models import Kind
from .operations import case_witness_ids, deadline_for, insert_unless_present, queue_notice, responsible_for

# Entries whose release date is a release to come.
RELEASE_KINDS = (EventKind.SENTENCED, EventKind.TEMPORARY_RELEASE)
# Defendants no longer held: no release to plan for.
NOT_HELD = (CustodyStatus.RELEASED, CustodyStatus.AT_LARGE, CustodyStatus.REMOVED)
# A release date reached while no sweep ran is still checked in on, this many days late at most;
# and one check-in per witness answers one release (recorded or reached) within this window.
CHECK_IN_WINDOW_DAYS = 7


@dataclass(frozen=True)
class _Date:
    kind: str  # a ReminderKind
    defendant_id: int
    case_id: int
    falls_on: date
    source: tuple[str, int]


def _distances() -> tuple[int, ...]:
    return tuple(sorted(set(current_app.config["RELEASE_REMINDER_DAYS"])))


def _const(value: str | int) -> sa.ColumnElement[Any]:
    """A constant of the code (an enum's value, a distance) written into the statement's text, not
    bound: the pass runs every minute, and each bound value is processed again on every run."""
    if isinstance(value, int):
        return sa.literal_column(str(int(value)), sa.Integer)
    if not str(value).replace("_", "").isalnum():
        raise ValueError(f"not a code constant: {value!r}")
    return sa.literal_column(f"'{value}'", sa.String)


def _any_of(column: Any, values: tuple[str, ...]) -> sa.ColumnElement[bool]:
    # Not an expanding IN: its list would be rendered into the SQL again on every execution.
    return column.in_([_const(str(v)) for v in values])


def _held() -> sa.ColumnElement[bool]:
    return sa.or_(Defendant.custody_status.is_(None), ~_any_of(Defendant.custody_status, NOT_HELD))


def _standing(event: Any) -> sa.ColumnElement[bool]:
    corrections = aliased(CustodyEvent)
    return ~sa.exists().where(corrections.corrects_id == event.id)


def _latest_release_entry(event: Any) -> sa.ColumnElement[bool]:
    """The entry is the latest standing one with a release date of its defendant."""
    later = aliased(CustodyEvent)
    return sa.and_(
        _any_of(event.kind, RELEASE_KINDS), _standing(event),
        ~sa.exists().where(
            later.defendant_id == event.defendant_id, _any_of(later.kind, RELEASE_KINDS),
            later.release_date.is_not(None), _standing(later),
            sa.or_(later.occurred_at > event.occurred_at,
                   sa.and_(later.occurred_at == event.occurred_at, later.id > event.id)),
        ),
    )


def _told_by_outcome(defendant_id: Any, falls_on: Any) -> sa.ColumnElement[bool]:
    """The outcome reminders tell this date of this defendant already."""
    return sa.exists().where(
        Outcome.defendant_id == defendant_id, Outcome.proposed_release_date == falls_on,
        _outcome_counts(),
    )


def _outcome_counts() -> sa.ColumnElement[bool]:
    """The outcome's release date counts (no custody change recorded on the outcome since)."""
    return sa.or_(Outcome.custody.is_(None), _any_of(Outcome.custody, ("recalled", "transferred")))


def _nearest(falls_on: Any, days: tuple[int, ...]) -> sa.ColumnElement[int]:
    """The smallest reminder distance the date is within (bound `until_<d>` per distance)."""
    return sa.case(*((falls_on <= sa.bindparam(f"until_{d}", type_=sa.Date), _const(d)) for d in days))


def _unraised(kind: str, defendant_id: Any, days: Any, falls_on: Any) -> sa.ColumnElement[bool]:
    return ~sa.exists().where(CustodyReminder.defendant_id == defendant_id, CustodyReminder.kind == _const(kind),
                              CustodyReminder.days == days, CustodyReminder.falls_on == falls_on)


@functools.cache
def _due_statement(days: tuple[int, ...]) -> sa.Select:
    """Every reminder due from custody and outcome dates and not yet recorded, in the order they are
    told: releases approaching, parole hearings approaching, releases reached (custody history,
    then outcomes); by defendant and source within each. One statement, built once with bound
    parameters (`today`, `horizon`, `until_<d>` per distance, `reached_from`): most passes find
    nothing, and building it cost more than running it."""
    today, horizon = sa.bindparam("today", type_=sa.Date), sa.bindparam("horizon", type_=sa.Date)
    reached_from = sa.bindparam("reached_from", type_=sa.Date)
    event = CustodyEvent

    def branch(order: int, kind: str, falls_on: Any, distance: Any, source: str, source_id: Any,
               defendant_id: Any, case_id: Any) -> sa.Select:
        return sa.select(
            _const(order).label("branch"), _const(str(kind)).label("kind"),
            defendant_id.label("defendant_id"), case_id.label("case_id"), falls_on.label("falls_on"),
            distance.label("days"), _const(source).label("source_type"),
            source_id.label("source_id"),
        ).join(Defendant, Defendant.id == defendant_id)

    branches = []
    if days:  # no distances configured: nothing is told before a date, only once it is reached
        release_days, hearing_days = _nearest(event.release_date, days), _nearest(event.hearing_on, days)
        upcoming = branch(1, ReminderKind.RELEASE, event.release_date, release_days, "custody_event", event.id,
                          event.defendant_id, event.case_id).where(
            event.release_date > today, event.release_date <= horizon,
            _unraised(ReminderKind.RELEASE, event.defendant_id, release_days, event.release_date),
            _latest_release_entry(event), _held(), ~_told_by_outcome(event.defendant_id, event.release_date))
        hearings = branch(2, ReminderKind.HEARING, event.hearing_on, hearing_days, "custody_event", event.id,
                          event.defendant_id, event.case_id).where(
            event.hearing_on > today, event.hearing_on <= horizon, event.kind == _const(EventKind.PAROLE_HEARING),
            _unraised(ReminderKind.HEARING, event.defendant_id, hearing_days, event.hearing_on),
            _standing(event), _held())
        branches += [upcoming, hearings]
    reached = branch(3, ReminderKind.RELEASED, event.release_date, _const(0), "custody_event", event.id,
                     event.defendant_id, event.case_id).where(
        event.release_date >= reached_from, event.release_date <= today,
        _unraised(ReminderKind.RELEASED, event.defendant_id, _const(0), event.release_date),
        _latest_release_entry(event), _held())
    outcome_reached = branch(4, ReminderKind.RELEASED, Outcome.proposed_release_date, _const(0), "outcome",
                             Outcome.id, Outcome.defendant_id, Outcome.case_id).where(
        Outcome.proposed_release_date >= reached_from, Outcome.proposed_release_date <= today,
        _outcome_counts(), _held(),
        _unraised(ReminderKind.RELEASED, Outcome.defendant_id, _const(0), Outcome.proposed_release_date))
    due = sa.union_all(*branches, reached, outcome_reached).subquery("due")
    return sa.select(due.c.kind, due.c.defendant_id, due.c.case_id, due.c.falls_on, due.c.days, due.c.source_type,
                     due.c.source_id).order_by(due.c.branch, due.c.defendant_id, due.c.source_id)


def _due_params(today: date, days: tuple[int, ...]) -> dict[str, date]:
    return {"today": today, "horizon": today + timedelta(days=max(days, default=0)),
            "reached_from": today - timedelta(days=CHECK_IN_WINDOW_DAYS),
            **{f"until_{d}": today + timedelta(days=d) for d in days}}


def due_custody_reminders(today: date) -> list[tuple[_Date, int]]:
    """(the date, the reminder's distance in days) of every reminder the next pass would raise, as
    seen by the session's transaction; changes nothing."""
    days = _distances()
    rows = db.session.connection().execute(_due_statement(days), _due_params(today, days))
    return [(_Date(kind, defendant_id, case_id, falls_on, (source_type, source_id)), distance)
            for kind, defendant_id, case_id, falls_on, distance, source_type, source_id in rows]


def _claim(found: _Date, days: int, now: datetime) -> bool:
    """Record the reminder; False when it is recorded already (by another sweep)."""
    return insert_unless_present(CustodyReminder, {
        "defendant_id": found.defendant_id, "kind": str(found.kind), "days": days, "falls_on": found.falls_on,
        "created_at": now,
    }, "defendant_id", "kind", "days", "falls_on")


def _has_recent_check_in(witness_id: int, case_id: int, since: datetime) -> bool:
    return db.session.execute(
        sa.select(Task.id).where(Task.kind == "release_check_in", Task.witness_id == witness_id,
                                 Task.case_id == case_id, Task.created_at >= since).limit(1)
    ).first() is not None


def check_in_already_raised(witness_id: int, case_id: int, now: datetime) -> bool:
    """Does a check-in raised in the last few days already answer a release told now?"""
    return _has_recent_check_in(witness_id, case_id, now - timedelta(days=CHECK_IN_WINDOW_DAYS))


def _working_days(start: datetime, days: int, case: Case) -> datetime:
    config = current_app.config
    return add_working_days(start, days, tz=case.court_timezone, weekdays=config["WORKING_WEEKDAYS"],
                            holidays=config["HOLIDAYS"])


def _tell(found: _Date, days: int, today: date, now: datetime) -> None:
    case = db.session.get(Case, found.case_id)
    offender = db.session.execute(sa.select(Defendant.name).where(Defendant.id == found.defendant_id)).scalar()
    on = found.falls_on.isoformat()
    if found.kind == ReminderKind.RELEASED:
        # From the start of the release day in the court's zone, not from when the sweep saw it.
        start = max(now, datetime.combine(found.falls_on, time(), ZoneInfo(case.court_timezone)))
        since = datetime.combine(found.falls_on - timedelta(days=CHECK_IN_WINDOW_DAYS), time(),
                                 ZoneInfo(case.court_timezone))
        for witness_id in case_witness_ids(case.id, Kind.RELEASED):
            officer = responsible_for(witness_id, case.id)
            if officer is None or _has_recent_check_in(witness_id, case.id, since):
                continue
            reference = db.session.execute(sa.select(Witness.reference).where(Witness.id == witness_id)).scalar()
            create_task(officer, "release_check_in",
                        f"Check in with {reference}: a defendant in {case.reference} was due for release on {on}",
                        due_at=_working_days(start, 2, case), witness_id=witness_id, case_id=case.id,
                        source=found.source, dedup_key=f"release-check-in:d{found.defendant_id}:{on}:w{witness_id}")
        return
    kind = Kind.RELEASE_UPCOMING if found.kind == ReminderKind.RELEASE else Kind.PAROLE_HEARING
    due = deadline_for(Kind.RELEASE_UPCOMING, now, case.court_timezone)
    key = f"{found.kind}-upcoming:d{found.defendant_id}:{days}d:{on}"
    for witness_id in case_witness_ids(case.id, kind):
        if found.kind == ReminderKind.RELEASE:
            queue_notice(witness_id, Kind.RELEASE_UPCOMING, case_id=case.id, triggered_at=now,
                         context={"offender": offender, "release_date": on, "days": (found.falls_on - today).days},
                         dedup_key=f"{key}:w{witness_id}")
            what = "a defendant's release is approaching"
        else:
            what = f"a parole or licence hearing that may release a defendant is on {on}"
        officer = responsible_for(witness_id, case.id)
        if officer is None:
            continue
        reference = db.session.execute(sa.select(Witness.reference).where(Witness.id == witness_id)).scalar()
        create_task(officer, "safety_planning", f"Plan the safety of {reference}: {what}", due_at=due,
                    witness_id=witness_id, case_id=case.id, source=found.source,
                    dedup_key=f"safety-planning:{key}:w{witness_id}")


def raise_custody_reminders(today: date, now: datetime) -> int:
    """Raise every reminder due from custody dates (and check-ins from outcome dates); returns how
    many were raised. Reads before it writes: most passes find nothing to do, in one statement."""
    db.session.flush()  # the statement reads through the session's connection, past its autoflush
    count = 0
    seen: set[tuple[int, str, int, date]] = set()
    for found, days in due_custody_reminders(today):
        key = (found.defendant_id, str(found.kind), days, found.falls_on)
        if key in seen:
            continue  # the custody history and the outcome give the same release reached
        seen.add(key)
        if not _claim(found, days, now):
            continue  # another sweep recorded it a moment ago: it tells
        _tell(found, days, today, now)
        count += 1
    db.session.flush()
    return count


def on_sweep(today: date, *, now: datetime | None = None, **_: Any) -> None:
    raise_custody_reminders(today, now or utc_now())
