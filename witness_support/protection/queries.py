"""Reads of protection plans: a witness's plan with its revisions, the measures a reader may see,
and the open tasks a revision can answer."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..access import kinded_resource, shows, visible_groups
from ..auth.models import User
from ..extensions import db
from ..tasks.models import Task
from ..witnesses.models import Witness
from .models import PlanMeasure, PlanRevision, ProtectionPlan

# Tasks completed by saving a revision: after a verdict, after a custody change, before a release.
PLAN_TASK_KINDS = ("revise_protection_plan", "custody_risk_review", "safety_planning")


def plan_for(witness_id: int) -> ProtectionPlan | None:
    """The witness's plan with every revision (newest first) and its measures, or None."""
    return db.session.execute(
        sa.select(ProtectionPlan).where(ProtectionPlan.witness_id == witness_id)
        .options(selectinload(ProtectionPlan.revisions).selectinload(PlanRevision.measures),
                 selectinload(ProtectionPlan.revisions).selectinload(PlanRevision.revised_by))
    ).scalar_one_or_none()


def measure_visible(user: User, witness: Witness, measure: PlanMeasure) -> bool:
    """Relocation and safe accommodation say where the witness is: the location group."""
    return shows(visible_groups(user, witness), kinded_resource("plan_measure", measure.kind), "text")


def visible_measures(user: User, witness: Witness, measures: list[PlanMeasure]) -> list[PlanMeasure]:
    return [m for m in measures if measure_visible(user, witness, m)]


def open_plan_tasks(witness_id: int) -> list[Task]:
    """The open tasks on this witness that a plan revision answers, oldest due first."""
    return list(db.session.execute(
        sa.select(Task).where(Task.witness_id == witness_id, Task.kind.in_(PLAN_TASK_KINDS), Task.done_at.is_(None))
        .order_by(Task.due_at.is_(None), Task.due_at, Task.id)
    ).scalars())
