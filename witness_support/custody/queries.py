"""Reads of custody: a defendant's history, its current state in words, who is at large."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import selectinload

from ..access import case_groups, kinded_resource, shows, visible_groups
from ..auth.models import User
from ..cases.models import Defendant, Journey
from ..extensions import db
from ..permissions import FieldGroup
from .models import BAIL_KINDS, BailCondition, ConditionKind, CustodyEvent, Enrolment, EventKind


def history(defendant_id: int) -> list[CustodyEvent]:
    """Every event of the defendant, most recent first (corrections included, as entered)."""
    return list(db.session.execute(
        sa.select(CustodyEvent)
        .where(CustodyEvent.defendant_id == defendant_id)
        .options(selectinload(CustodyEvent.conditions).selectinload(BailCondition.witness))
        .order_by(CustodyEvent.occurred_at.desc(), CustodyEvent.id.desc())
    ).scalars())


def standing(events: list[CustodyEvent]) -> list[CustodyEvent]:
    """The events that still count: those no later entry corrects."""
    corrected = {e.corrects_id for e in events if e.corrects_id}
    return [e for e in events if e.id not in corrected]


def current_event(events: list[CustodyEvent]) -> CustodyEvent | None:
    """The latest standing event that says where the defendant is (a scheduled hearing does not)."""
    for event in sorted(standing(events), key=lambda e: (e.occurred_at, e.id), reverse=True):
        if event.kind != EventKind.PAROLE_HEARING:
            return event
    return None


def current_conditions(events: list[CustodyEvent]) -> list[BailCondition]:
    """The conditions of the latest standing bail decision, while the defendant is on bail."""
    current = current_event(events)
    if current is None or current.kind not in (*BAIL_KINDS, EventKind.BAIL_BREACHED):
        return []
    for event in sorted(standing(events), key=lambda e: (e.occurred_at, e.id), reverse=True):
        if event.kind in BAIL_KINDS:
            return list(event.conditions)
    return []


def condition_words(condition: BailCondition, *, reference: bool = True) -> str:
    words = ConditionKind.words_of(condition.kind, condition.kind.replace("_", " "))
    if condition.kind == "no_contact":
        target = condition.witness.reference if (reference and condition.witness) else "a witness"
        return f"{words} {target}" + (f" ({condition.text})" if condition.text else "")
    return f"{words}: {condition.text}" if condition.text else words


def condition_groups(user: User, condition: BailCondition) -> frozenset[FieldGroup]:
    """The groups through which `user` reads this condition: those of the witness it names, else
    those of every witness of the case (an unnamed exclusion zone may be about any of them)."""
    if condition.witness_id is not None:
        return visible_groups(user, condition.witness)
    return case_groups(user, condition.event.case_id)


def condition_visible(user: User, condition: BailCondition) -> bool:
    """May `user` read this condition? A place (exclusion zone, residence) needs the location group."""
    return shows(condition_groups(user, condition), kinded_resource("bail_condition", condition.kind), "text")


def visible_conditions(user: User, conditions: list[BailCondition]) -> list[BailCondition]:
    return [c for c in conditions if condition_visible(user, c)]


@dataclass
class DefendantCustody:
    defendant: Defendant
    events: list[CustodyEvent]
    current: CustodyEvent | None
    conditions: list[BailCondition] = field(default_factory=list)
    hearings: list[CustodyEvent] = field(default_factory=list)


def case_custody(case_id: int) -> list[DefendantCustody]:
    """Each defendant of the case with its history, current state and conditions (case page)."""
    defendants = db.session.execute(
        sa.select(Defendant).where(Defendant.case_id == case_id).order_by(Defendant.id)
    ).scalars().all()
    events = db.session.execute(
        sa.select(CustodyEvent).where(CustodyEvent.case_id == case_id)
        .options(selectinload(CustodyEvent.conditions).selectinload(BailCondition.witness),
                 selectinload(CustodyEvent.entered_by))
        .order_by(CustodyEvent.occurred_at.desc(), CustodyEvent.id.desc())
    ).scalars().all()
    result = []
    for defendant in defendants:
        own = [e for e in events if e.defendant_id == defendant.id]
        result.append(DefendantCustody(
            defendant, own, current_event(own), current_conditions(own),
            [e for e in standing(own) if e.kind == EventKind.PAROLE_HEARING],
        ))
    return result


def witness_custody(witness_id: int) -> list[tuple[int, DefendantCustody]]:
    """(case id, custody) of every defendant in the witness's cases (witness page)."""
    case_ids = db.session.execute(
        sa.select(Journey.case_id).where(Journey.witness_id == witness_id).order_by(Journey.case_id)
    ).scalars().all()
    return [(case_id, custody) for case_id in case_ids for custody in case_custody(case_id)]


def _at_large_known() -> dict[int, bool]:
    """The flags read so far in this request, by witness id."""
    if "custody_at_large" not in g:
        g.custody_at_large = {}
    return g.custody_at_large


def note_at_large(witnesses: Iterable[object]) -> str:
    """For templates, before a list of witnesses with risk flags: reads the flag of every witness
    listed (not known yet in this request) in one statement; returns "" so that `{{ }}` prints
    nothing. Reading only the listed witnesses keeps the cost with the page: the set of every
    witness with a defendant at large grows with the caseload (a third of them in the bulk demo)."""
    known = _at_large_known()
    ids = sorted({i for i in (getattr(w, "id", None) for w in witnesses) if i is not None} - known.keys())
    if ids:
        flagged = set(db.session.connection().execute(_at_large_among(), {"ids": ids}).scalars())
        known.update((i, i in flagged) for i in ids)
    return ""


def at_large_clause(witness_id: sa.ColumnElement[int]) -> sa.Exists:
    """Whether the witness `witness_id` has a defendant at large in one of their cases, as a column a
    list's own statement reads with its rows (then `remember_at_large`, so the page reads no more)."""
    return sa.exists().where(Journey.witness_id == witness_id, Defendant.case_id == Journey.case_id,
                             Defendant.custody_status == "at_large")


def remember_at_large(flags: Iterable[tuple[int, bool]]) -> None:
    """Keep flags read with a list's rows (`at_large_clause`), by witness id, for this request."""
    _at_large_known().update(flags)


@functools.cache
def _at_large_among() -> sa.Select:
    """Which of the witnesses `ids` have a defendant at large in one of their cases (built once)."""
    return (sa.select(Journey.witness_id).distinct()
            .join(Defendant, Defendant.case_id == Journey.case_id)
            .where(Journey.witness_id.in_(sa.bindparam("ids", expanding=True)), Defendant.custody_status == "at_large"))


def offender_at_large(witness: object) -> bool:
    """For templates: does the risk flag 'offender at large' show for this witness? (Read with the
    page's list when `note_at_large` saw it, else on its own.)"""
    witness_id = getattr(witness, "id", None)
    if witness_id is None:
        return False
    known = _at_large_known()
    if witness_id not in known:
        note_at_large([witness])
    return known[witness_id]


def enrolment(witness_id: int, case_id: int) -> Enrolment | None:
    return db.session.execute(
        sa.select(Enrolment).where(Enrolment.witness_id == witness_id, Enrolment.case_id == case_id)
    ).scalar_one_or_none()
