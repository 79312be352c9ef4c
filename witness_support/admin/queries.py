"""Reads of the audit trail page: the actions that exist, one page of events with their subjects
named by reference, and repeated reads folded into one entry with a count.

The trail itself is append-only (the database refuses UPDATE and DELETE), so repeated reads are
folded here, when the page is read, never when they are written: every read stays a row of its
own, with its own time and address, and the CSV export still lists each of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..audit import AuditEvent
from ..auth.models import User
from ..cases.models import Case, CaseAssignment, Defendant, Journey
from ..court.models import CourtEvent
from ..extensions import db
from ..witnesses.models import Witness

# Reads of the same subject by the same person from the same address this close together are
# one entry of the page (each gap at most this long), with a count.
REPEAT_WINDOW = timedelta(minutes=15)
# Only reads are folded: each change is an entry of its own, however close to the last.
FOLDED_SUFFIXES = (".view", ".search", ".open", ".export")

# Objects of a case: their subject is named by the case's reference.
CASE_OBJECTS: dict[str, Any] = {
    "court_event": CourtEvent, "defendant": Defendant, "journey": Journey, "case_assignment": CaseAssignment,
}


def existing_actions() -> list[str]:
    """Every action name on the trail, in order. A loose index scan (a recursive query that jumps
    from one name to the next along the action index), so it reads one index entry per name rather
    than the whole table, on SQLite and PostgreSQL alike."""
    table = AuditEvent.__table__
    first = sa.select(sa.func.min(table.c.action).label("action")).cte("actions", recursive=True)
    following = sa.select(sa.func.min(table.c.action)).where(table.c.action > first.c.action).scalar_subquery()
    names = first.union_all(sa.select(following).where(first.c.action.is_not(None)))
    return [name for name in db.session.execute(sa.select(names.c.action)).scalars() if name is not None]


def action_prefixes(actions: list[str]) -> list[str]:
    """The families of actions ("witness" for witness.create, witness.identity.view ...) that have
    more than one action, for a filter that chooses a whole family."""
    counts: dict[str, int] = {}
    for name in actions:
        if "." in name:
            prefix = name.split(".", 1)[0]
            counts[prefix] = counts.get(prefix, 0) + 1
    return sorted(prefix for prefix, count in counts.items() if count > 1)


def action_filter(choice: str) -> sa.ColumnElement[bool]:
    """`witness.*` is every action of that family (a range, so the action index serves it on
    either database whatever the collation); anything else is one action by its exact name."""
    if choice.endswith(".*"):
        start = choice[:-1]  # "witness."
        return sa.and_(AuditEvent.action >= start, AuditEvent.action < start[:-1] + "/")  # "/" follows "."
    return AuditEvent.action == choice


@dataclass(slots=True, frozen=True)
class Event:
    """An audit event's values, read once: the page is rendered after the commit that records its
    own reading, which would otherwise make each ORM row load itself again."""

    id: int
    at: datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: int | None
    witness_id: int | None
    ip: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent) -> Event:
        return cls(event.id, event.at, event.actor_id, event.action, event.object_type, event.object_id,
                   event.witness_id, event.ip, dict(event.details or {}))


@dataclass(slots=True)
class Row:
    """One audit event with the names the page shows."""

    event: Event
    actor: str | None
    witness: str | None
    subject: str


def subject_words(object_type: str) -> str:
    return object_type.replace("_", " ").capitalize()


def page_rows(query: sa.Select, limit: int) -> list[Row]:
    """Up to `limit` events of `query` (a select of AuditEvent, filtered and ordered) with the
    actor's email, the witness's reference and the subject named by its reference, in ONE
    statement: the names come from outer joins on the page's rows, never a query per row."""
    actor = aliased(User, name="actor")
    witness = aliased(Witness, name="event_witness")
    subject_witness = aliased(Witness, name="subject_witness")
    subject_user = aliased(User, name="subject_user")
    subject_case = aliased(Case, name="subject_case")
    kind, object_id = AuditEvent.object_type, AuditEvent.object_id
    parents = {name: aliased(model, name=f"subject_{name}") for name, model in CASE_OBJECTS.items()}
    case_id = sa.case(
        (kind == "case", object_id),
        *((kind == name, parent.case_id) for name, parent in parents.items()),
        else_=None,
    )
    query = (
        query.add_columns(actor.email, witness.reference, subject_witness.reference, subject_user.email,
                          subject_case.reference)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(witness, witness.id == AuditEvent.witness_id)
        .outerjoin(subject_witness, sa.and_(kind == "witness", subject_witness.id == object_id))
        .outerjoin(subject_user, sa.and_(kind == "user", subject_user.id == object_id))
    )
    for name, parent in parents.items():
        query = query.outerjoin(parent, sa.and_(kind == name, parent.id == object_id))
    query = query.outerjoin(subject_case, subject_case.id == case_id)
    rows = []
    for event, actor_email, reference, witness_ref, user_email, case_ref in db.session.execute(query.limit(limit)):
        rows.append(Row(Event.of(event), actor_email, reference, _subject(event, witness_ref, user_email, case_ref)))
    return rows


def _subject(event: Event, witness_ref: str | None, user_email: str | None, case_ref: str | None) -> str:
    kind = event.object_type
    if kind == "witness" and witness_ref:
        return f"Witness {witness_ref}"
    if kind == "user" and user_email:
        return f"Account {user_email}"
    if kind == "case" and case_ref:
        return f"Case {case_ref}"
    if case_ref:
        return f"{subject_words(kind)} #{event.object_id} of case {case_ref}"
    if event.object_id is None:
        return subject_words(kind)
    return f"{subject_words(kind)} #{event.object_id}"


@dataclass(slots=True)
class Entry:
    """One line of the page: an event, or repeated reads of one subject folded together (`rows`,
    newest first; every one of them is still a row of the trail)."""

    rows: list[Row] = field(default_factory=list)

    @property
    def latest(self) -> Row:
        return self.rows[0]

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def first_at(self) -> datetime:
        return self.rows[-1].event.at

    @property
    def ids(self) -> list[int]:
        return [row.event.id for row in self.rows]


def _fold_key(row: Row) -> tuple | None:
    event = row.event
    if not event.action.endswith(FOLDED_SUFFIXES):
        return None
    return (event.actor_id, event.action, event.object_type, event.object_id, event.witness_id, event.ip)


def fold_repeats(rows: list[Row], window: timedelta = REPEAT_WINDOW) -> list[Entry]:
    """The rows (newest first) as entries: a read joins the entry of the same person reading the
    same subject the same way, when it came at most `window` before that entry's oldest read.
    An entry keeps the place of its newest read; nothing is left out."""
    entries: list[Entry] = []
    open_entries: dict[tuple, Entry] = {}
    for row in rows:
        key = _fold_key(row)
        entry = open_entries.get(key) if key is not None else None
        if entry is not None and abs(entry.first_at - row.event.at) <= window:
            entry.rows.append(row)
            continue
        entry = Entry([row])
        entries.append(entry)
        if key is not None:
            open_entries[key] = entry
    return entries
