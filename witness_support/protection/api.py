"""API routes for the protection plan: read a witness's plan with its revisions, save the next one.

Registered on the shared API blueprint. The plan is risk detail: a caller who sees the witness but
not that group gets 404, as for a hidden witness; a relocation or safe-accommodation measure needs
the location group too. Saving a revision shows every measure, so it needs both groups.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, jsonify
from flask_login import current_user

from ..access import document_groups, filter_fields, sees, visible_groups
from ..api import Field, bp, iso, json_body, parse, require
from ..api import openapi as oa
from ..api.witnesses import load_witness
from ..errors import NotFound
from ..extensions import db
from ..permissions import FieldGroup, Permission
from ..witnesses.models import Witness
from . import operations, queries
from .models import MeasureKind, PlanRevision

REVISION_FIELDS = {
    "measures": Field(list, required=True, nullable=False),
    "review_on": Field(date, required=True, nullable=False),
    "risk_assessment_id": Field(int, required=True, nullable=False),
    "summary": Field(str, max_length=5000),
    "task_id": Field(int),
}


def _load(witness_id: int, *groups: FieldGroup) -> Witness:
    witness = load_witness(witness_id)
    if not all(sees(current_user, witness, group) for group in groups):
        raise NotFound()
    return witness


def revision_json(witness: Witness, revision: PlanRevision) -> dict[str, Any]:
    groups = visible_groups(current_user, witness)
    measures = [filter_fields({"id": m.id, "kind": m.kind, "text": m.text, "responsible": m.responsible},
                              groups, "plan_measure")
                for m in queries.visible_measures(current_user, witness, list(revision.measures))]
    return filter_fields({
        "id": revision.id, "number": revision.number, "review_on": iso(revision.review_on),
        "summary": revision.summary, "risk_assessment_id": revision.risk_assessment_id, "task_id": revision.task_id,
        "revised_by_id": revision.revised_by_id, "revised_at": iso(revision.revised_at), "measures": measures,
    }, groups, "plan_revision")


def plan_json(witness: Witness) -> dict[str, Any]:
    plan = queries.plan_for(witness.id)
    revisions = [revision_json(witness, r) for r in plan.revisions] if plan is not None else []
    return filter_fields({"witness_id": witness.id, "revisions": revisions},
                         visible_groups(current_user, witness), "protection_plan")


@bp.get("/witnesses/<int:witness_id>/protection-plan")
def get_plan_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    return jsonify(plan_json(_load(witness_id, FieldGroup.RISK_DETAIL)))


@bp.post("/witnesses/<int:witness_id>/protection-plan/revisions")
def revise_plan_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.RISK_CREATE)
    witness = _load(witness_id, FieldGroup.RISK_DETAIL, FieldGroup.LOCATION)
    data = parse(json_body(), REVISION_FIELDS)
    revision = operations.revise_plan(current_user, witness, **data)
    db.session.commit()
    return jsonify(revision_json(witness, revision)), 201


_MEASURE = {
    "type": "object",
    "required": ["kind", "responsible"],
    "properties": {
        "kind": {"enum": sorted(MeasureKind)},
        "text": {"type": ["string", "null"], "maxLength": 2000, "description": "Required for kind other."},
        "responsible": {"type": "string", "maxLength": 200},
    },
}
oa.add_schemas({
    "PlanMeasure": document_groups({
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "integer"}, **_MEASURE["properties"], "text": {"type": "string"}},
        "description": "Relocation and safe accommodation need the location group; the others risk detail.",
    }, "plan_measure"),
    "PlanRevision": document_groups({
        "type": "object",
        "required": ["id", "number", "review_on", "risk_assessment_id", "measures"],
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "integer"},
            "review_on": {"type": "string", "format": "date"},
            "summary": {"type": "string"},
            "risk_assessment_id": {"type": "integer"},
            "task_id": {"type": ["integer", "null"], "description": "The task this revision completed."},
            "revised_by_id": {"type": ["integer", "null"]},
            "revised_at": {"type": "string", "format": "date-time"},
            "measures": {"type": "array", "items": oa.ref("PlanMeasure"),
                         "description": "Only the measures the caller may read."},
        },
    }, "plan_revision"),
    "ProtectionPlan": document_groups({
        "type": "object",
        "required": ["witness_id", "revisions"],
        "properties": {
            "witness_id": {"type": "integer"},
            "revisions": {"type": "array", "items": oa.ref("PlanRevision"), "description": "Newest first."},
        },
    }, "protection_plan"),
    "PlanRevisionInput": {
        "type": "object",
        "required": ["measures", "review_on", "risk_assessment_id"],
        "additionalProperties": False,
        "properties": {
            "measures": {"type": "array", "minItems": 1, "maxItems": operations.MAX_MEASURES, "items": _MEASURE},
            "review_on": {"type": "string", "format": "date"},
            "risk_assessment_id": {"type": "integer"},
            "summary": {"type": ["string", "null"], "maxLength": 5000},
            "task_id": {"type": ["integer", "null"], "description": "An open plan task of yours: completed by it."},
        },
    },
})
oa.add_paths({
    "/witnesses/{witness_id}/protection-plan": {
        "parameters": [oa.id_param("witness_id")],
        "get": oa.op("The witness's protection plan, every revision (risk detail)",
                     {"200": oa.ok(oa.ref("ProtectionPlan"))}),
    },
    "/witnesses/{witness_id}/protection-plan/revisions": {
        "parameters": [oa.id_param("witness_id")],
        "post": oa.op("Save the next revision (answering a plan task completes it)",
                      {"201": oa.ok(oa.ref("PlanRevision"), "Created")}, "PlanRevisionInput"),
    },
})
