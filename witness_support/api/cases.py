"""API routes for cases, journeys and stage transitions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, jsonify
from flask_login import current_user

from ..access import can_edit_case, can_view_case, can_view_witness, load_visible, visible_case_ids
from ..cases import operations
from ..cases.models import Case, CaseAssignment, CustodyStatus, Journey, JourneyTransition, Stage
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import Permission
from . import Field, bp, iso, json_body, parse, require
from . import openapi as oa
from .witnesses import load_witness

CASE_FIELDS = {
    "reference": Field(str, required=True, nullable=False, max_length=60),
    "court_name": Field(str, required=True, nullable=False, max_length=200),
    "court_timezone": Field(str, required=True, nullable=False, max_length=64),
    "offence_type": Field(str, required=True, nullable=False, max_length=120),
    "defendants": Field(list),
}
DEFENDANT_FIELDS = {
    "name": Field(str, required=True, nullable=False, max_length=200),
    "custody_status": Field(str, required=True, nullable=False, choices=set(CustodyStatus)),
}
LINK_FIELDS = {"witness_id": Field(int, required=True, nullable=False)}
END_ASSIGNMENT_FIELDS = {"reason": Field(str, required=True, nullable=False, max_length=500)}
TRANSITION_FIELDS = {
    "to": Field(str, required=True, nullable=False, choices=set(Stage)),
    "reason": Field(str, max_length=2000),
    "override_reason": Field(str, max_length=2000),
}


def case_json(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "reference": case.reference,
        "court_name": case.court_name,
        "court_timezone": case.court_timezone,
        "offence_type": case.offence_type,
        "defendants": [
            {"id": d.id, "name": d.name, "custody_status": d.custody_status} for d in case.defendants
        ],
        "journeys": [
            {"id": j.id, "witness_id": j.witness_id, "witness_reference": j.witness.reference, "stage": j.stage}
            for j in case.journeys
        ],
    }


def case_assignment_json(a: CaseAssignment) -> dict[str, Any]:
    return {"id": a.id, "case_id": a.case_id, "user_id": a.user_id, "role": a.role,
            "created_at": iso(a.created_at), "ended_at": iso(a.ended_at)}


def transition_json(t: JourneyTransition) -> dict[str, Any]:
    return {
        "id": t.id,
        "journey_id": t.journey_id,
        "from": t.from_stage,
        "to": t.to_stage,
        "at": iso(t.at),
        "actor_id": t.actor_id,
        "reason": t.reason,
        "override_reason": t.override_reason,
    }


def journey_json(journey: Journey) -> dict[str, Any]:
    return {
        "id": journey.id,
        "witness_id": journey.witness_id,
        "case_id": journey.case_id,
        "stage": journey.stage,
        "transitions": [transition_json(t) for t in journey.transitions],
    }


def load_case(case_id: int) -> Case:
    case = load_visible(current_user, Case, case_id, can_view_case)  # hidden or missing: one statement
    if case is None:
        raise NotFound()
    return case


@bp.get("/cases")
def list_cases_api() -> Response:
    require(Permission.CASE_LIST)
    cases = db.session.execute(
        sa.select(Case)
        .where(Case.id.in_(visible_case_ids(current_user).scalar_subquery()))
        .order_by(Case.reference)
    ).scalars()
    return jsonify({"items": [case_json(c) for c in cases]})


@bp.post("/cases")
def create_case_api() -> tuple[Response, int]:
    require(Permission.CASE_CREATE)
    data = parse(json_body(), CASE_FIELDS)
    defendants = data.pop("defendants", None) or []
    parsed_defendants = []
    for index, item in enumerate(defendants):
        if not isinstance(item, dict):
            raise ValidationFailed({f"defendants[{index}]": "Give an object with name and custody_status."})
        parsed_defendants.append(parse(item, DEFENDANT_FIELDS))
    case = operations.create_case(current_user, **data)
    for item in parsed_defendants:
        operations.add_defendant(current_user, case, **item)
    db.session.commit()
    db.session.refresh(case)
    return jsonify(case_json(case)), 201


@bp.get("/cases/<int:case_id>")
def get_case_api(case_id: int) -> Response:
    require(Permission.CASE_VIEW)
    return jsonify(case_json(load_case(case_id)))


@bp.post("/cases/<int:case_id>/witnesses")
def start_journey_api(case_id: int) -> tuple[Response, int]:
    require(Permission.JOURNEY_START)
    case = load_case(case_id)
    if not can_edit_case(current_user, case):
        raise NotFound()
    data = parse(json_body(), LINK_FIELDS)
    witness = load_witness(data["witness_id"])
    journey = operations.start_journey(current_user, case, witness)
    db.session.commit()
    return jsonify(journey_json(journey)), 201


@bp.post("/journeys/<int:journey_id>/transitions")
def transition_api(journey_id: int) -> tuple[Response, int]:
    require(Permission.JOURNEY_TRANSITION)
    journey = db.session.get(Journey, journey_id)
    if journey is None or not can_view_witness(current_user, journey.witness):
        raise NotFound()
    data = parse(json_body(), TRANSITION_FIELDS)
    transition = operations.transition_journey(
        current_user, journey, data["to"], data.get("reason") or "", data.get("override_reason") or ""
    )
    db.session.commit()
    return jsonify(transition_json(transition)), 201


@bp.get("/cases/<int:case_id>/assignments")
def list_case_assignments_api(case_id: int) -> Response:
    require(Permission.CASE_VIEW)
    case = load_case(case_id)
    rows = db.session.execute(
        sa.select(CaseAssignment).where(CaseAssignment.case_id == case.id).order_by(CaseAssignment.id)
    ).scalars()
    return jsonify({"items": [case_assignment_json(a) for a in rows]})


@bp.delete("/cases/<int:case_id>/assignments/<int:case_assignment_id>")
def end_case_assignment_api(case_id: int, case_assignment_id: int) -> Response:
    """Ends the case assignment (the record stays, for the audit trail); access ends at once.
    The body gives the reason: {"reason": "..."}."""
    require(Permission.CASE_EDIT)
    case = load_case(case_id)
    if not can_edit_case(current_user, case):
        raise NotFound()
    assignment = db.session.get(CaseAssignment, case_assignment_id)
    if assignment is None or assignment.case_id != case.id:
        raise NotFound()
    data = parse(json_body(), END_ASSIGNMENT_FIELDS)
    operations.end_case_assignment(current_user, assignment, data["reason"])
    db.session.commit()
    return jsonify(case_assignment_json(assignment))


_DT_NULL = {"type": ["string", "null"], "format": "date-time"}
oa.add_schemas({
    "CaseAssignment": {
        "type": "object", "required": ["id", "case_id", "user_id", "role", "created_at", "ended_at"],
        "properties": {"id": {"type": "integer"}, "case_id": {"type": "integer"}, "user_id": {"type": "integer"},
                       "role": {"enum": ["prosecutor", "liaison_officer"]},
                       "created_at": {"type": "string", "format": "date-time"}, "ended_at": _DT_NULL},
    },
    "CaseAssignmentEnd": {
        "type": "object", "required": ["reason"], "additionalProperties": False,
        "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}},
    },
})
oa.add_paths({
    "/cases/{case_id}/assignments": {
        "parameters": [oa.id_param("case_id")],
        "get": oa.op("Staff assignments of the case (ended ones included)",
                     {"200": oa.ok(oa.items_of("CaseAssignment"))}),
    },
    "/cases/{case_id}/assignments/{case_assignment_id}": {
        "parameters": [oa.id_param("case_id"), oa.id_param("case_assignment_id")],
        "delete": oa.op("Take a person off the case (the record is kept, the reason audited); "
                        "they lose access at once", {"200": oa.ok(oa.ref("CaseAssignment"))}, "CaseAssignmentEnd"),
    },
})
