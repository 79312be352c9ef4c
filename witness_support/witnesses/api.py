"""API routes for witnesses and their risk assessments."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Response, jsonify, request
from flask_login import current_user

from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import Permission, can_edit_witness, can_view_identity, can_view_witness
from ..witnesses import operations
from ..witnesses.models import AgeAssessment, Participation, RiskAssessment, RiskLevel, Witness
from ..witnesses.views import list_witnesses, search_name
from . import Field, bp, iso, json_body, parse, query_int, require

WITNESS_FIELDS = {
    "legal_name": Field(str, required=True, nullable=False, max_length=200),
    "date_of_birth": Field(date),
    "contact_details": Field(str, max_length=2000),
    "address": Field(str, max_length=2000),
    "presumed_child": Field(bool, nullable=False),
    "age_assessment": Field(str, nullable=False, choices=set(AgeAssessment)),
    "gender": Field(str, max_length=40),
    "nationality": Field(str, max_length=80),
    "preferred_language": Field(str, required=True, nullable=False, max_length=35),
    "interpreter_language": Field(str, max_length=35),
    "participation": Field(str, nullable=False, choices=set(Participation)),
    "reflection_start": Field(date),
    "reflection_end": Field(date),
}
TEXT_DEFAULTS = ("contact_details", "address", "gender", "nationality")

RISK_FIELDS = {
    "stage": Field(str, required=True, nullable=False, choices=set(operations.RISK_STAGES)),
    "level": Field(str, required=True, nullable=False, choices=set(RiskLevel)),
    "assessed_on": Field(date),
    "next_review_on": Field(date, required=True, nullable=False),
    "threats": Field(str, max_length=5000),
    "measures": Field(str, max_length=5000),
}


def witness_summary(witness: Witness) -> dict[str, Any]:
    return {
        "id": witness.id,
        "reference": witness.reference,
        "is_child": witness.is_child,
        "participation": witness.participation,
        "risk_level": witness.current_risk_level,
        "high_risk": witness.high_risk,
        "next_review_on": iso(witness.next_review_on),
        "in_reflection_period": witness.in_reflection_period(),
        "stages": [{"case_id": j.case_id, "journey_id": j.id, "stage": j.stage} for j in witness.journeys],
    }


def witness_detail(witness: Witness) -> dict[str, Any]:
    body = witness_summary(witness) | {
        "presumed_child": witness.presumed_child,
        "age_assessment": witness.age_assessment,
        "gender": witness.gender,
        "nationality": witness.nationality,
        "preferred_language": witness.preferred_language,
        "interpreter_language": witness.interpreter_language,
        "reflection_start": iso(witness.reflection_start),
        "reflection_end": iso(witness.reflection_end),
        "identity": None,
    }
    if can_view_identity(current_user, witness):
        operations.record_identity_view(current_user, witness, via="api")
        body["identity"] = {
            "legal_name": witness.legal_name,
            "date_of_birth": iso(witness.date_of_birth),
            "contact_details": witness.contact_details,
            "address": witness.address,
        }
    return body


def risk_json(assessment: RiskAssessment) -> dict[str, Any]:
    return {
        "id": assessment.id,
        "witness_id": assessment.witness_id,
        "stage": assessment.stage,
        "level": assessment.level,
        "assessed_on": iso(assessment.assessed_on),
        "next_review_on": iso(assessment.next_review_on),
        "threats": assessment.threats,
        "measures": assessment.measures,
        "assessor_id": assessment.assessor_id,
    }


def load_witness(witness_id: int) -> Witness:
    witness = db.session.get(Witness, witness_id)
    if witness is None or not can_view_witness(current_user, witness):
        raise NotFound()
    return witness


@bp.get("/witnesses")
def list_witnesses_api() -> Response:
    require(Permission.WITNESS_LIST)
    after = query_int("after")
    limit = query_int("limit", 50)
    if not 1 <= limit <= 200:
        raise ValidationFailed({"limit": "Give a limit between 1 and 200."})
    name = search_name(request.args.get("name"))
    if name is not None and len(name) > 200:
        raise ValidationFailed({"name": "At most 200 characters."})
    rows = list_witnesses(current_user, after=after, limit=limit + 1, name=name)
    page = rows[:limit]
    if name is not None:
        operations.record_identity_search(current_user, len(page), via="api")
        db.session.commit()
    return jsonify(
        {
            "items": [witness_summary(w) for w in page],
            "next_after": page[-1].id if len(rows) > limit else None,
        }
    )


@bp.post("/witnesses")
def create_witness_api() -> tuple[Response, int]:
    require(Permission.WITNESS_CREATE)
    data = parse(json_body(), WITNESS_FIELDS)
    for name in TEXT_DEFAULTS:
        if data.get(name) is None:
            data[name] = ""
    witness = operations.create_witness(current_user, **data)
    db.session.commit()
    body = witness_detail(witness)
    db.session.commit()
    return jsonify(body), 201


@bp.get("/witnesses/<int:witness_id>")
def get_witness_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness = load_witness(witness_id)
    body = witness_detail(witness)
    db.session.commit()
    return jsonify(body)


@bp.patch("/witnesses/<int:witness_id>")
def update_witness_api(witness_id: int) -> Response:
    require(Permission.WITNESS_EDIT)
    witness = load_witness(witness_id)
    if not can_edit_witness(current_user, witness):
        raise NotFound()
    data = parse(json_body(), WITNESS_FIELDS, partial=True)
    for name in TEXT_DEFAULTS:
        if name in data and data[name] is None:
            data[name] = ""
    operations.update_witness(current_user, witness, **data)
    db.session.commit()
    body = witness_detail(witness)
    db.session.commit()
    return jsonify(body)


@bp.get("/witnesses/<int:witness_id>/risk-assessments")
def list_risk_api(witness_id: int) -> Response:
    require(Permission.RISK_VIEW)
    witness = load_witness(witness_id)
    assessments = db.session.execute(
        sa.select(RiskAssessment)
        .where(RiskAssessment.witness_id == witness.id)
        .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
    ).scalars()
    return jsonify({"items": [risk_json(a) for a in assessments]})


@bp.post("/witnesses/<int:witness_id>/risk-assessments")
def create_risk_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.RISK_CREATE)
    witness = load_witness(witness_id)
    data = parse(json_body(), RISK_FIELDS)
    for name in ("threats", "measures"):
        data[name] = data.get(name) or ""
    assessment = operations.record_risk_assessment(current_user, witness, **data)
    db.session.commit()
    return jsonify(risk_json(assessment)), 201
