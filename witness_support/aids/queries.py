"""Reads of testimonial aids that pages and endpoints share: who may see a witness's aids, a
witness's aids with their history, and the aids of the witnesses required at a court event."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..access import can_view_witness, sql_rule, witness_rule
from ..auth.models import User
from ..cases.models import Journey
from ..extensions import db
from ..permissions import Permission, has_permission
from ..witnesses.models import Witness
from .models import TestimonialAid


@sql_rule(witness_rule(Permission.AID_VIEW))
def can_view_aids(user: User, witness: Witness) -> bool:
    return has_permission(user, Permission.AID_VIEW) and can_view_witness(user, witness)


def witness_aids(witness: Witness) -> list[TestimonialAid]:
    """The witness's aids in all their cases, case by case in the order they were recorded, with
    their history and case (one query each)."""
    return list(db.session.execute(
        sa.select(TestimonialAid).where(TestimonialAid.witness_id == witness.id)
        .options(selectinload(TestimonialAid.history), selectinload(TestimonialAid.case))
        .order_by(TestimonialAid.case_id, TestimonialAid.id)
    ).scalars())


def case_choices(witness: Witness) -> list[tuple[int, str]]:
    """The cases an aid can be recorded in for this witness: theirs, as (id, reference)."""
    return [
        (j.case_id, j.case.reference)
        for j in db.session.execute(
            sa.select(Journey).where(Journey.witness_id == witness.id).options(selectinload(Journey.case))
            .order_by(Journey.id)
        ).scalars()
    ]


def aids_in_case(user: User, case_id: int, witnesses: Iterable[Witness]) -> dict[int, list[TestimonialAid]]:
    """Each given witness's aids in one case (a court event's page), for the witnesses whose aids
    the user may see; the others are left out, as if they had none."""
    shown = [w.id for w in witnesses if can_view_aids(user, w)]
    if not shown:
        return {}
    by_witness: dict[int, list[TestimonialAid]] = {}
    for aid in db.session.execute(
        sa.select(TestimonialAid)
        .where(TestimonialAid.case_id == case_id, TestimonialAid.witness_id.in_(shown))
        .order_by(TestimonialAid.witness_id, TestimonialAid.id)
    ).scalars():
        by_witness.setdefault(aid.witness_id, []).append(aid)
    return by_witness
