"""Aftercare on the liaison officer's home page: the witnesses whose journey in a case is closed but
who stay enrolled for offender notices, with something due.

Something due, per closed-but-enrolled journey: a known release of one of the case's defendants
coming within the furthest RELEASE_REMINDER_DAYS (a custody entry's sentence end or temporary
release, the latest standing one of a defendant still held; an outcome's proposed release date), a
parole or licence hearing coming within the same window, a notice to the witness that failed or is
past its deadline, an open task on the witness in that case.

Whose: the officer's own (they hold the witness's liaison-officer assignment); and, for the account
that is the team inbox (`operations.team_inbox`: AFTERCARE_TEAM_EMAIL, else the longest-serving
officer), also the unassigned ones: no active officer holds the witness any more, so nobody's own
list would show them. And, as every list, only witnesses the officer may see
(`access.first_visible`).

One statement for the list whatever its length (each row's dates and counts are correlated
subqueries), plus the bounded caseload check and the team-inbox look-up. The statement is built
once per shape (broad or narrow caseload, team inbox or not) with bound parameters: building it
cost 30-50 ms a home page at 100,000 witnesses, running it well under one (SQLite, narrow).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from ..access import first_visible, has_broad_caseload, user_parameter
from ..auth.models import User
from ..cases.models import Case, CustodyStatus, Defendant, Journey, Stage
from ..custody.models import CustodyEvent, EventKind
from ..extensions import db
from ..outcomes.models import Outcome
from ..tasks.models import Task
from ..witnesses.models import AssignmentRole, Witness, WitnessAssignment
from .models import Kind, Notification, Status
from .operations import still_told, team_inbox_id

# The home page shows this many; the rest wait until these are dealt with.
HOME_LIMIT = 50
# Custody entries whose release date is a release to come, and defendants no longer held.
_RELEASE_KINDS = [str(EventKind.SENTENCED), str(EventKind.TEMPORARY_RELEASE)]
_NOT_HELD = [str(CustodyStatus.RELEASED), str(CustodyStatus.AT_LARGE), str(CustodyStatus.REMOVED)]


@dataclass(frozen=True)
class AftercareRow:
    """One closed-but-enrolled journey with what is due on it."""

    witness_id: int
    reference: str
    case_id: int
    case_reference: str
    release_on: date | None
    hearing_on: date | None
    undelivered: int
    open_tasks: int

    def due_words(self, today: date) -> str:
        """What is due, in words: "a release on 2027-01-20, in 20 days; 1 open task"."""
        words = []
        if self.release_on is not None:
            days = (self.release_on - today).days
            words.append(f"a release on {self.release_on.isoformat()}, "
                         + ("today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"))
        if self.hearing_on is not None:
            words.append(f"a parole or licence hearing on {self.hearing_on.isoformat()}")
        if self.undelivered:
            words.append(f"{self.undelivered} notice{'s' if self.undelivered != 1 else ''} not delivered")
        if self.open_tasks:
            words.append(f"{self.open_tasks} open task{'s' if self.open_tasks != 1 else ''}")
        return "; ".join(words)


def _constants(values: list[str]) -> list[sa.ColumnElement[str]]:
    """Fixed values written into the SQL text: an IN list of plain values is a parameter that
    SQLAlchemy expands into the statement's text on every execution, which for this statement (a
    dozen such lists in 60 KB of SQL) cost more than running it."""
    return [sa.literal_column("'" + value.replace("'", "''") + "'", sa.String) for value in values]


def _held() -> sa.ColumnElement[bool]:
    return sa.or_(Defendant.custody_status.is_(None), Defendant.custody_status.not_in(_constants(_NOT_HELD)))


def _next_release(first: Any, last: Any) -> sa.ScalarSelect:
    """The soonest release within [first, last] of a defendant of the journey's case still held:
    from the latest standing custody entry with a release date, or the outcome's proposed date."""
    correction, later, fix = aliased(CustodyEvent), aliased(CustodyEvent), aliased(CustodyEvent)
    standing = ~sa.exists().where(correction.corrects_id == CustodyEvent.id)
    superseded = sa.exists().where(
        later.defendant_id == CustodyEvent.defendant_id, later.kind.in_(_constants(_RELEASE_KINDS)),
        later.release_date.is_not(None), ~sa.exists().where(fix.corrects_id == later.id),
        sa.or_(later.occurred_at > CustodyEvent.occurred_at,
               sa.and_(later.occurred_at == CustodyEvent.occurred_at, later.id > CustodyEvent.id)),
    )
    custody = (sa.select(sa.func.min(CustodyEvent.release_date))
               .join(Defendant, Defendant.id == CustodyEvent.defendant_id)
               .where(CustodyEvent.case_id == Journey.case_id, CustodyEvent.kind.in_(_constants(_RELEASE_KINDS)),
                      CustodyEvent.release_date.between(first, last), standing, ~superseded, _held())
               .correlate(Journey).scalar_subquery())
    outcome = (sa.select(sa.func.min(Outcome.proposed_release_date))
               .join(Defendant, Defendant.id == Outcome.defendant_id)
               .where(Outcome.case_id == Journey.case_id, Outcome.proposed_release_date.between(first, last),
                      sa.or_(Outcome.custody.is_(None), Outcome.custody.in_(_constants(["recalled", "transferred"]))),
                      _held())
               .correlate(Journey).scalar_subquery())
    # Two scalar subqueries, not a UNION in a derived table: a derived table cannot see the journey.
    return _sooner(custody, outcome)


def _sooner(a: sa.ColumnElement, b: sa.ColumnElement) -> sa.ColumnElement:
    """The earlier of two dates, either of which may be NULL (LEAST differs between databases)."""
    return sa.case((a.is_(None), b), (b.is_(None), a), (b < a, b), else_=a)


def _next_hearing(first: Any, last: Any) -> sa.ScalarSelect:
    correction = aliased(CustodyEvent)
    return (sa.select(sa.func.min(CustodyEvent.hearing_on))
            .join(Defendant, Defendant.id == CustodyEvent.defendant_id)
            .where(CustodyEvent.case_id == Journey.case_id, CustodyEvent.kind == EventKind.PAROLE_HEARING,
                   CustodyEvent.hearing_on.between(first, last),
                   ~sa.exists().where(correction.corrects_id == CustodyEvent.id), _held())
            .correlate(Journey).scalar_subquery())


def _undelivered(now: Any) -> sa.ScalarSelect:
    waiting = [str(s) for s in (Status.PENDING, Status.SENDING, Status.AWAITING_OFFICER)]
    # operations.undelivered_clause(now), with its IN list written into the text (_constants).
    undelivered = sa.or_(Notification.status == Status.FAILED,
                         sa.and_(Notification.status.in_(_constants(waiting)), Notification.deadline_at < now))
    return (sa.select(sa.func.count(Notification.id))
            .where(Notification.witness_id == Journey.witness_id, undelivered)
            .correlate(Journey).scalar_subquery())


def _open_tasks() -> sa.ScalarSelect:
    return (sa.select(sa.func.count(Task.id))
            .where(Task.witness_id == Journey.witness_id, Task.case_id == Journey.case_id, Task.done_at.is_(None))
            .correlate(Journey).scalar_subquery())


def _whose(user: Any, is_team_inbox: bool, today: Any) -> sa.ColumnElement[bool]:
    """The user's own witnesses, and the unassigned ones they answer for."""
    mine = sa.exists().where(
        WitnessAssignment.witness_id == Journey.witness_id, WitnessAssignment.user_id == user.id,
        WitnessAssignment.role == AssignmentRole.LIAISON_OFFICER, WitnessAssignment.active_clause(today),
    )
    unassigned = ~sa.exists().where(
        WitnessAssignment.witness_id == Journey.witness_id,
        WitnessAssignment.role == AssignmentRole.LIAISON_OFFICER, WitnessAssignment.active_clause(today),
        WitnessAssignment.user_id.in_(sa.select(User.id).where(User.active.is_(True))),
    )
    return sa.or_(mine, unassigned) if is_team_inbox else mine


@functools.cache
def _due_statement(role: str, broad: bool, is_team_inbox: bool) -> sa.Select:
    """The list's statement for one shape, with bound parameters `user_id`, `today`, `horizon`,
    `now` and `limit`."""
    user = user_parameter(role)
    today, horizon = sa.bindparam("today", type_=sa.Date), sa.bindparam("horizon", type_=sa.Date)
    now = sa.bindparam("now", type_=Notification.deadline_at.type)
    release, hearing = _next_release(today, horizon), _next_hearing(today, horizon)
    undelivered, tasks = _undelivered(now), _open_tasks()
    due = sa.or_(release.is_not(None), hearing.is_not(None), undelivered > 0, tasks > 0)
    soonest = _sooner(release, hearing)
    query = (
        sa.select(Journey.id, Journey.witness_id, Witness.reference, Journey.case_id, Case.reference,
                  release, hearing, undelivered, tasks)
        .join(Witness, Witness.id == Journey.witness_id)
        .join(Case, Case.id == Journey.case_id)
        # An offender notice is an after-case kind: `still_told` keeps the enrolled closed journeys.
        .where(Journey.stage == Stage.CLOSED, still_told(Kind.RELEASED, today),
               _whose(user, is_team_inbox, today), due)
        .order_by(soonest.is_(None), soonest, Journey.id)
    )
    return first_visible(user, query, Journey.witness_id, Journey.id, sa.bindparam("limit", type_=sa.Integer),
                         broad=broad, on=today, now=now)


def aftercare_due(user: User, today: date, now: datetime, limit: int = HOME_LIMIT, *,
                  broad: bool | None = None, team_inbox: int | None = None) -> list[AftercareRow]:
    """The user's closed-but-enrolled journeys with something due, soonest release or hearing first
    (`broad`: the caseload's shape, `team_inbox`: the team inbox's id, when the caller knows them
    already)."""
    horizon = today + timedelta(days=max(current_app.config["RELEASE_REMINDER_DAYS"], default=30))
    broad = has_broad_caseload(user) if broad is None else broad
    team_inbox = team_inbox_id() if team_inbox is None else team_inbox
    statement = _due_statement(user.role, broad, team_inbox == user.id)
    rows = db.session.execute(statement, {"user_id": user.id, "today": today, "horizon": horizon, "now": now,
                                          "limit": limit}).all()
    return [AftercareRow(witness_id, reference, case_id, case_reference, release_on, hearing_on,
                         int(undelivered_count or 0), int(task_count or 0))
            for _, witness_id, reference, case_id, case_reference, release_on, hearing_on, undelivered_count,
            task_count in rows]
