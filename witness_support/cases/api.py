"""API routes for cases, journeys and stage transitions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, jsonify
from flask_login import current_user

from ..cases import operations
from ..cases.models import Case, CustodyStatus, Journey, JourneyTransition, Stage
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import Permission, can_edit_case, can_view_case, can_view_witness, visible_case_ids
from . import Field, bp, iso, json_body, parse, require
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
    case = db.session.get(Case, case_id)
    if case is None or not can_view_case(current_user, case):
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
