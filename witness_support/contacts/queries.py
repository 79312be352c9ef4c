"""Reads for the contact log: a witness's contacts a page at a time, the time zone their times are
given in, who may log a court-day note, and who follows a contact up."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..cases.models import Case, Journey
from ..court.models import CourtEvent, EventWitness
from ..dates import as_local
from ..extensions import db
from ..witnesses.models import AssignmentRole, Witness, WitnessAssignment
from .models import WitnessContact


def witness_timezone(witness_id: int) -> str:
    """The clock a contact's time is read on: the court's of the witness's latest case (that is
    where they live and attend), else UTC. Court events use the same zone, so a court day's note
    and its hearing show the same wall-clock time."""
    zone = db.session.execute(
        sa.select(Case.court_timezone).join(Journey, Journey.case_id == Case.id)
        .where(Journey.witness_id == witness_id).order_by(Journey.id.desc()).limit(1)
    ).scalar_one_or_none()
    return zone or "UTC"


def contacts_of(witness_id: int, *, after: WitnessContact | None = None, limit: int | None = None
                ) -> list[WitnessContact]:
    """The witness's contacts, newest first; `after` one of them: those that come after it."""
    query = (
        sa.select(WitnessContact).options(joinedload(WitnessContact.staff))
        .where(WitnessContact.witness_id == witness_id)
        .order_by(WitnessContact.occurred_at.desc(), WitnessContact.id.desc())
    )
    if after is not None:
        query = query.where(sa.or_(
            WitnessContact.occurred_at < after.occurred_at,
            sa.and_(WitnessContact.occurred_at == after.occurred_at, WitnessContact.id < after.id),
        ))
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())


def is_assigned(user: User, witness: Witness) -> bool:
    """An active assignment of the user to the witness, in any role (a support person's only way
    to a witness, and the condition for a court-day note)."""
    return db.session.execute(
        sa.select(WitnessAssignment.id).where(
            WitnessAssignment.witness_id == witness.id, WitnessAssignment.user_id == user.id,
            WitnessAssignment.active_clause(),
        ).limit(1)
    ).first() is not None


def officers_of(witness: Witness) -> list[User]:
    """The witness's liaison officers now, longest-assigned first (the first follows a contact up)."""
    return list(db.session.execute(
        sa.select(User).join(WitnessAssignment, WitnessAssignment.user_id == User.id)
        .where(WitnessAssignment.witness_id == witness.id, WitnessAssignment.role == AssignmentRole.LIAISON_OFFICER,
               WitnessAssignment.active_clause(), User.active.is_(True))
        .order_by(WitnessAssignment.starts_on, WitnessAssignment.id)
    ).scalars().unique())


def requirement(event_id: int, witness_id: int) -> EventWitness | None:
    """The witness's place at the event (where the attendance outcome is kept), with the event."""
    return db.session.execute(
        sa.select(EventWitness).options(joinedload(EventWitness.event).joinedload(CourtEvent.case))
        .where(EventWitness.event_id == event_id, EventWitness.witness_id == witness_id)
    ).scalar_one_or_none()


def local_now(witness_id: int, now: datetime) -> datetime:
    """`now` on the witness's clock (to prefill a contact's time)."""
    return as_local(now, witness_timezone(witness_id))
