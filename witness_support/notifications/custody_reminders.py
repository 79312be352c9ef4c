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


def _held() -> sa.ColumnElement[bool]:
    return sa.or_(Defendant.custody_status.is_(None), Defendant.custody_status.not_in([str(s) for s in NOT_HELD]))


def _standing(event: Any) -> sa.ColumnElement[bool]:
    corrections = aliased(CustodyEvent)
    return ~sa.exists().where(corrections.corrects_id == event.id)


def _latest_release_entries(first: date, last: date) -> list[_Date]:
    """The release dates between `first` and `last` of the latest standing entry with a release date
    of each defendant still held."""
    later = aliased(CustodyEvent)
    superseded = sa.exists().where(
        later.defendant_id == CustodyEvent.defendant_id, later.kind.in_([str(k) for k in RELEASE_KINDS]),
        later.release_date.is_not(None), _standing(later),
        sa.or_(later.occurred_at > CustodyEvent.occurred_at,
               sa.and_(later.occurred_at == CustodyEvent.occurred_at, later.id > CustodyEvent.id)),
    )
    rows = db.session.execute(
        sa.select(CustodyEvent.id, CustodyEvent.defendant_id, CustodyEvent.case_id, CustodyEvent.release_date)
        .join(Defendant, Defendant.id == CustodyEvent.defendant_id)
        .where(CustodyEvent.release_date.between(first, last), CustodyEvent.kind.in_([str(k) for k in RELEASE_KINDS]),
               _standing(CustodyEvent), ~superseded, _held())
        .order_by(CustodyEvent.defendant_id, CustodyEvent.id)
    ).all()
    return [_Date(ReminderKind.RELEASE, d, c, on, ("custody_event", e)) for e, d, c, on in rows]


def _hearings(first: date, last: date) -> list[_Date]:
    rows = db.session.execute(
        sa.select(CustodyEvent.id, CustodyEvent.defendant_id, CustodyEvent.case_id, CustodyEvent.hearing_on)
        .join(Defendant, Defendant.id == CustodyEvent.defendant_id)
        .where(CustodyEvent.hearing_on.between(first, last), CustodyEvent.kind == EventKind.PAROLE_HEARING,
               _standing(CustodyEvent), _held())
        .order_by(CustodyEvent.defendant_id, CustodyEvent.id)
    ).all()
    return [_Date(ReminderKind.HEARING, d, c, on, ("custody_event", e)) for e, d, c, on in rows]


def _outcome_release_dates(first: date, last: date) -> list[_Date]:
    """The outcomes' proposed release dates the outcome reminders count (no custody change after)."""
    rows = db.session.execute(
        sa.select(Outcome.id, Outcome.defendant_id, Outcome.case_id, Outcome.proposed_release_date)
        .join(Defendant, Defendant.id == Outcome.defendant_id)
        .where(Outcome.proposed_release_date.between(first, last),
               sa.or_(Outcome.custody.is_(None), Outcome.custody.in_(["recalled", "transferred"])), _held())
        .order_by(Outcome.defendant_id)
    ).all()
    return [_Date(ReminderKind.RELEASED, d, c, on, ("outcome", o)) for o, d, c, on in rows]


def _told_by_outcome(dates: list[_Date]) -> set[tuple[int, date]]:
    """(defendant, date) pairs the outcome reminders tell already."""
    if not dates:
        return set()
    return {(d, on) for d, on in db.session.execute(
        sa.select(Outcome.defendant_id, Outcome.proposed_release_date)
        .where(Outcome.defendant_id.in_(sorted({x.defendant_id for x in dates})),
               sa.or_(Outcome.custody.is_(None), Outcome.custody.in_(["recalled", "transferred"])))
    )}


def _raised(candidates: list[tuple[_Date, int]]) -> set[tuple[int, str, int, date]]:
    if not candidates:
        return set()
    return {tuple(row) for row in db.session.execute(
        sa.select(CustodyReminder.defendant_id, CustodyReminder.kind, CustodyReminder.days, CustodyReminder.falls_on)
        .where(CustodyReminder.defendant_id.in_(sorted({x.defendant_id for x, _ in candidates})))
    )}


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
    many were raised. Reads before it writes: most passes find nothing to do."""
    distances = _distances()
    horizon = today + timedelta(days=max(distances, default=0))
    upcoming = [*_latest_release_entries(today + timedelta(days=1), horizon),
                *_hearings(today + timedelta(days=1), horizon)]
    told = _told_by_outcome([x for x in upcoming if x.kind == ReminderKind.RELEASE])
    first = today - timedelta(days=CHECK_IN_WINDOW_DAYS)
    reached = [_Date(ReminderKind.RELEASED, x.defendant_id, x.case_id, x.falls_on, x.source)
               for x in _latest_release_entries(first, today)] + _outcome_release_dates(first, today)
    candidates: list[tuple[_Date, int]] = []
    for found in upcoming:
        if found.kind == ReminderKind.RELEASE and (found.defendant_id, found.falls_on) in told:
            continue  # the outcome's reminders tell this date
        nearest = min(d for d in distances if found.falls_on <= today + timedelta(days=d))
        candidates.append((found, nearest))
    candidates += [(found, 0) for found in reached]
    raised = _raised(candidates)
    count = 0
    for found, days in candidates:
        if (found.defendant_id, str(found.kind), days, found.falls_on) in raised or not _claim(found, days, now):
            continue
        raised.add((found.defendant_id, str(found.kind), days, found.falls_on))
        _tell(found, days, today, now)
        count += 1
    db.session.flush()
    return count


def on_sweep(today: date, *, now: datetime | None = None, **_: Any) -> None:
    raise_custody_reminders(today, now or utc_now())
