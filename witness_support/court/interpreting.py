"""Whether a witness needs an interpreter at a court event, in which language, and whether one is
booked: one answer, said the same way, on the event page, in readiness, in a person's schedule and
in the calendar feed.

The witness's own interpreter language decides; an event's "interpreter needed for" language
stands in for a witness who has none recorded (and for an event that names no witness yet). It
is booked when someone attends the event as an interpreter for that witness.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..witnesses.models import AssignmentRole, Witness
from .models import Attendance, CourtEvent


@dataclass(frozen=True)
class InterpreterNeed:
    language: str | None  # None: no interpreter is needed
    booked: bool

    @property
    def needed(self) -> bool:
        return bool(self.language)

    @property
    def missing(self) -> bool:
        return self.needed and not self.booked

    @property
    def words(self) -> str:
        """"Thai, booked", "Thai, not booked yet" or "not needed"."""
        if not self.language:
            return "not needed"
        return f"{self.language}, {'booked' if self.booked else 'not booked yet'}"


def need(event_language: str | None, witness_language: str | None, booked: bool) -> InterpreterNeed:
    """The one rule, on plain values (the feed reads them in SQL, the pages from objects)."""
    language = (witness_language or "").strip() or (event_language or "").strip() or None
    return InterpreterNeed(language, bool(language) and bool(booked))


def booked_pairs(event_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(event id, witness id) for every interpreter booked at these events, in one query."""
    ids = sorted(set(event_ids))
    if not ids:
        return set()
    return {tuple(row) for row in db.session.execute(  # type: ignore[misc]
        sa.select(Attendance.event_id, Attendance.witness_id)
        .where(Attendance.event_id.in_(ids), Attendance.role == AssignmentRole.INTERPRETER)
    ).all()}


def booked_clause(event_id: sa.ColumnElement, witness_id: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """True where an interpreter attends the event for the witness (for queries that read in SQL)."""
    return sa.exists().where(Attendance.event_id == event_id, Attendance.witness_id == witness_id,
                             Attendance.role == AssignmentRole.INTERPRETER)


def for_witness(event: CourtEvent, witness: Witness, booked: set[tuple[int, int]] | None = None) -> InterpreterNeed:
    if booked is None:
        booked = booked_pairs([event.id])
    return need(event.interpreter_language, witness.interpreter_language, (event.id, witness.id) in booked)


def for_event(event: CourtEvent) -> list[tuple[str | None, InterpreterNeed]]:
    """Per required witness (by reference), or for the event itself when it names no witness."""
    booked = booked_pairs([event.id])
    needs = [(r.witness.reference, for_witness(event, r.witness, booked)) for r in event.required]
    if not needs:
        any_booked = any(a.role == AssignmentRole.INTERPRETER for a in event.attendance)
        needs = [(None, need(event.interpreter_language, None, any_booked))]
    return needs
