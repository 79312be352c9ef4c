"""API routes for the protection plan: read a witness's plan with its revisions, save the next one.

Registered on the shared API blueprint. The plan is risk detail: a caller who sees the witness but
not that group gets 404, as for a hidden witness; a relocation or safe-accommodation measure needs
the location group too. Saving a revision shows every measure, so it needs both groups.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_login import current_user

from ..access import filter_fields, sees, visible_groups
from ..api import body, bp, reply_json, require
from ..api.openapi import Op, add_paths, id_param
from ..errors import NotFound
from ..extensions import db
from ..permissions import FieldGroup, Permission
from ..witnesses.models import Witness
from ..witnesses.queries import load_witness
from . import operations, queries, schemas
from .models import PlanRevision


def _load(witness_id: int, *groups: FieldGroup) -> Witness:
    witness = load_witness(current_user, witness_id)
    if not all(sees(current_user, witness, group) for group in groups):
        raise NotFound()
    return witness


def revision_answer(witness: Witness, revision: PlanRevision) -> dict[str, Any]:
    """The revision in its schema's shape, each measure and field as the caller's groups allow."""
    groups = visible_groups(current_user, witness)
    measures = [filter_fields(schemas.PlanMeasure.model_validate(m).model_dump(mode="json"), groups, "plan_measure")
                for m in queries.visible_measures(current_user, witness, list(revision.measures))]
    data = schemas.PlanRevision.model_validate(revision).model_dump(mode="json", exclude={"measures"})
    return filter_fields({**data, "measures": measures}, groups, "plan_revision")


def plan_answer(witness: Witness) -> dict[str, Any]:
    plan = queries.plan_for(witness.id)
    revisions = [revision_answer(witness, r) for r in plan.revisions] if plan is not None else []
    return filter_fields({"witness_id": witness.id, "revisions": revisions},
                         visible_groups(current_user, witness), "protection_plan")


@bp.get("/witnesses/<int:witness_id>/protection-plan")
def get_plan_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    return reply_json(plan_answer(_load(witness_id, FieldGroup.RISK_DETAIL)))


@bp.post("/witnesses/<int:witness_id>/protection-plan/revisions")
def revise_plan_api(witness_id: int) -> Response:
    require(Permission.RISK_CREATE)
    witness = _load(witness_id, FieldGroup.RISK_DETAIL, FieldGroup.LOCATION)
    data = body(schemas.PlanRevisionInput)
    revision = operations.revise_plan(current_user, witness, **data.given())
    db.session.commit()
    return reply_json(revision_answer(witness, revision), 201)


add_paths({
    "/witnesses/{witness_id}/protection-plan": {
        "parameters": [id_param("witness_id")],
        "get": Op("The witness's protection plan, every revision (risk detail)", {"200": schemas.ProtectionPlan}),
    },
    "/witnesses/{witness_id}/protection-plan/revisions": {
        "parameters": [id_param("witness_id")],
        "post": Op("Save the next revision (answering a plan task completes it)",
                   {"201": schemas.PlanRevision}, schemas.PlanRevisionInput),
    },
})
