"""The rules of the protection plan: a revision is saved whole (never edited) and may answer a
task, which it completes. Validates, changes, flushes, audits; never commits."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from .. import audit
from ..auth.models import User
from ..dates import check_date
from ..db import today_utc, utc_now
from ..errors import ValidationFailed
from ..extensions import db
from ..tasks.models import Task
from ..tasks.operations import complete_task
from ..witnesses.models import RiskAssessment, Witness
from .models import MeasureKind, PlanMeasure, PlanRevision, ProtectionPlan
from .queries import PLAN_TASK_KINDS

MAX_MEASURES = 30


def _check_measures(measures: list[Any]) -> tuple[list[dict[str, str]], str]:
    """The measures, cleaned; or the first problem in words."""
    if not isinstance(measures, list) or not measures:
        return [], "List at least one measure."
    if len(measures) > MAX_MEASURES:
        return [], f"At most {MAX_MEASURES} measures."
    cleaned = []
    for number, item in enumerate(measures, start=1):
        if not isinstance(item, dict):
            return [], f"Measure {number}: give its kind and who is responsible."
        kind = item.get("kind")
        text, responsible = (str(item.get("text") or "")).strip(), (str(item.get("responsible") or "")).strip()
        if kind not in set(MeasureKind):
            return [], f"Measure {number}: choose one of " + ", ".join(MeasureKind) + "."
        if kind == MeasureKind.OTHER and not text:
            return [], f"Measure {number}: describe the measure."
        if len(text) > 2000:
            return [], f"Measure {number}: at most 2000 characters."
        if not responsible:
            return [], f"Measure {number}: say who is responsible for it."
        if len(responsible) > 200:
            return [], f"Measure {number}: at most 200 characters for who is responsible."
        cleaned.append({"kind": kind, "text": text, "responsible": responsible})
    return cleaned, ""


def revise_plan(  # noqa: C901 - one check per rule, each with its own message
    actor: User,
    witness: Witness,
    *,
    measures: list[Any],
    review_on: date | None,
    risk_assessment_id: int | None,
    summary: str = "",
    task_id: int | None = None,
) -> PlanRevision:
    """Save the next revision of the witness's plan (creating the plan at the first one). With a
    task ("revise the protection plan", a custody risk review, safety planning), the revision
    answers it: the task is completed and the revision names it."""
    errors: dict[str, str] = {}
    summary = (summary or "").strip()
    cleaned, problem = _check_measures(measures)
    if problem:
        errors["measures"] = problem
    if review_on is None:
        errors["review_on"] = "Give the date the plan is next reviewed."
    elif check_date(errors, "review_on", review_on, "risk_review") and review_on < today_utc():
        errors["review_on"] = "The review date is in the past."
    assessment = db.session.get(RiskAssessment, risk_assessment_id) if risk_assessment_id else None
    if assessment is None or assessment.witness_id != witness.id:
        errors["risk_assessment_id"] = ("Choose the risk assessment this plan answers."
                                        if witness.risk_assessments else "Record a risk assessment first.")
    if len(summary) > 5000:
        errors["summary"] = "At most 5000 characters."
    task = db.session.get(Task, task_id) if task_id else None
    if task_id is not None:
        if task is None or task.witness_id != witness.id or task.kind not in PLAN_TASK_KINDS:
            errors["task_id"] = "Choose an open task about this witness's protection plan."
        elif task.done_at is not None:
            errors["task_id"] = "That task is already done."
        elif task.assignee_id != actor.id:
            errors["task_id"] = "That task is another person's: they complete it with their revision."
    if errors:
        raise ValidationFailed(errors)
    plan = db.session.execute(
        sa.select(ProtectionPlan).where(ProtectionPlan.witness_id == witness.id).with_for_update()
    ).scalar_one_or_none()
    if plan is None:
        plan = ProtectionPlan(witness_id=witness.id)
        db.session.add(plan)
        db.session.flush()
        audit.record("protection.plan_create", plan, actor=actor)
    number = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.max(PlanRevision.number), 0)).where(PlanRevision.plan_id == plan.id)
    ).scalar() + 1
    revision = PlanRevision(
        plan_id=plan.id, number=number, risk_assessment_id=assessment.id, review_on=review_on, summary=summary,
        task_id=task.id if task else None, revised_by_id=actor.id, revised_at=utc_now(),
    )
    db.session.add(revision)
    db.session.flush()
    for item in cleaned:
        db.session.add(PlanMeasure(revision_id=revision.id, **item))
    db.session.flush()
    db.session.refresh(plan, ["revisions"])
    if task is not None:
        complete_task(actor, task, note=f"Protection plan revision {number} saved.")
    # The trail names the kinds of measure, never their text (a relocation says where to).
    audit.record("protection.revise", revision, actor=actor, witness_id=witness.id, details={
        "number": number, "measures": [m["kind"] for m in cleaned], "task_id": revision.task_id,
        "risk_assessment_id": assessment.id,
    })
    return revision
