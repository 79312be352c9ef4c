"""Reads of cases that more than one page or endpoint needs."""

from __future__ import annotations

import sqlalchemy as sa

from ..access import can_view_case, load_visible
from ..auth.models import User
from ..errors import NotFound
from ..extensions import db
from ..witnesses.models import AssignmentRole, WitnessAssignment
from .models import Case, CaseAssignment, CaseRole


def load_case(user: User, case_id: int) -> Case:
    """The case, or NotFound when there is none or `user` may not see it (the same answer)."""
    case = load_visible(user, Case, case_id, can_view_case)  # hidden or missing: one statement
    if case is None:
        raise NotFound()
    return case


def liaison_officer_for(witness_id: int, case_id: int | None = None) -> User | None:
    """The witness's own liaison officer, else the case's, else anyone working on the case."""
    officer = db.session.execute(
        sa.select(User)
        .join(WitnessAssignment, WitnessAssignment.user_id == User.id)
        .where(
            WitnessAssignment.witness_id == witness_id,
            WitnessAssignment.role == AssignmentRole.LIAISON_OFFICER,
            WitnessAssignment.active_clause(),
            User.active.is_(True),
        )
        .order_by(WitnessAssignment.id)
        .limit(1)
    ).scalar_one_or_none()
    if officer is not None or case_id is None:
        return officer
    return db.session.execute(
        sa.select(User)
        .join(CaseAssignment, CaseAssignment.user_id == User.id)
        .where(CaseAssignment.case_id == case_id, CaseAssignment.ended_at.is_(None), User.active.is_(True))
        .order_by((CaseAssignment.role == CaseRole.LIAISON_OFFICER).desc(), CaseAssignment.id)
        .limit(1)
    ).scalar_one_or_none()
