"""API routes for outcomes: the verdict and sentence per defendant, appeals and custody changes."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Response, jsonify
from flask_login import current_user

from ..cases.models import Defendant
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..outcomes import operations
from ..outcomes.models import AppealOutcome, CustodyChange, Outcome, SentenceKind, Verdict
from ..permissions import Permission, can_view_case
from . import Field, bp, iso, json_body, openapi, parse, require
from .cases import load_case

_DATES = ("sentenced_on", "earliest_release_date", "proposed_release_date", "appeal_deadline", "appeal_lodged_on")

OUTCOME_FIELDS = {
    "verdict": Field(str, nullable=False, choices=set(Verdict)),
    "charges": Field(str, max_length=5000),
    "sentence_kind": Field(str, choices=set(SentenceKind)),
    "sentence_months": Field(int),
    "sentence_details": Field(str, max_length=2000),
    **{name: Field(date) for name in _DATES},
    "appeal_lodged_by": Field(str, choices=operations.APPEAL_PARTIES),
    "appeal_outcome": Field(str, choices=set(AppealOutcome)),
    "note": Field(str, max_length=2000),
}
CREATE_FIELDS = {
    "defendant_id": Field(int, required=True, nullable=False),
    **OUTCOME_FIELDS,
    "verdict": Field(str, required=True, nullable=False, choices=set(Verdict)),
}
PATCH_FIELDS = {
    **OUTCOME_FIELDS,
    "custody": Field(str, nullable=False, choices=set(CustodyChange)),
    "custody_changed_on": Field(date),
}


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": outcome.id,
        "case_id": outcome.case_id,
        "defendant_id": outcome.defendant_id,
        "verdict": outcome.verdict,
        "charges": outcome.charges,
        "sentence_kind": outcome.sentence_kind,
        "sentence_months": outcome.sentence_months,
        "sentence_details": outcome.sentence_details,
        "appeal_lodged_by": outcome.appeal_lodged_by,
        "appeal_outcome": outcome.appeal_outcome,
        "custody": outcome.custody,
        "custody_changed_on": iso(outcome.custody_changed_on),
        "history": [
            {"id": c.id, "kind": c.kind, "changes": c.changes, "note": c.note, "at": iso(c.at), "actor_id": c.actor_id}
            for c in outcome.changes
        ],
    }
    data.update({name: iso(getattr(outcome, name)) for name in _DATES})
    return data


def load_outcome(outcome_id: int) -> Outcome:
    outcome = db.session.get(Outcome, outcome_id)
    if outcome is None or not can_view_case(current_user, outcome.case):
        raise NotFound()
    return outcome


@bp.get("/cases/<int:case_id>/outcomes")
def list_outcomes_api(case_id: int) -> Response:
    require(Permission.CASE_VIEW)
    case = load_case(case_id)
    outcomes = db.session.execute(
        sa.select(Outcome).where(Outcome.case_id == case.id).order_by(Outcome.id)
    ).scalars()
    return jsonify({"items": [outcome_json(o) for o in outcomes]})


@bp.post("/cases/<int:case_id>/outcomes")
def record_outcome_api(case_id: int) -> tuple[Response, int]:
    require(Permission.OUTCOME_RECORD)
    case = load_case(case_id)
    data = parse(json_body(), CREATE_FIELDS)
    defendant = db.session.get(Defendant, data.pop("defendant_id"))
    if defendant is None or defendant.case_id != case.id:
        raise ValidationFailed({"defendant_id": "No such defendant in this case."})
    outcome = operations.record_outcome(current_user, defendant, **data)
    db.session.commit()
    db.session.refresh(outcome)
    return jsonify(outcome_json(outcome)), 201


@bp.patch("/outcomes/<int:outcome_id>")
def update_outcome_api(outcome_id: int) -> Response:
    require(Permission.OUTCOME_RECORD)
    outcome = load_outcome(outcome_id)
    data = parse(json_body(), PATCH_FIELDS, partial=True)
    operations.update_outcome(current_user, outcome, **data)
    db.session.commit()
    db.session.refresh(outcome)
    return jsonify(outcome_json(outcome))


_NDATE = {"type": ["string", "null"], "format": "date"}
_NTEXT = {"type": ["string", "null"]}
_INPUT_PROPERTIES = {
    "verdict": {"enum": sorted(Verdict)},
    "charges": {"type": ["string", "null"], "maxLength": 5000},
    "sentence_kind": {"enum": [*sorted(SentenceKind), None]},
    "sentence_months": {"type": ["integer", "null"], "minimum": 0, "maximum": 1200},
    "sentence_details": {"type": ["string", "null"], "maxLength": 2000},
    **dict.fromkeys(_DATES, _NDATE),
    "appeal_lodged_by": {"enum": [*sorted(operations.APPEAL_PARTIES), None]},
    "appeal_outcome": {"enum": [*sorted(AppealOutcome), None]},
    "note": {"type": ["string", "null"], "maxLength": 2000},
}

openapi.add_schemas({
    "Outcome": {
        "type": "object",
        "required": ["id", "case_id", "defendant_id", "verdict", "history", "custody"],
        "properties": {
            "id": {"type": "integer"},
            "case_id": {"type": "integer"},
            "defendant_id": {"type": "integer"},
            "verdict": {"enum": sorted(Verdict)},
            "charges": {"type": "string"},
            "sentence_kind": {"enum": [*sorted(SentenceKind), None]},
            "sentence_months": {"type": ["integer", "null"]},
            "sentence_details": {"type": "string"},
            **dict.fromkeys(_DATES, _NDATE),
            "appeal_lodged_by": {"enum": [*sorted(operations.APPEAL_PARTIES), None]},
            "appeal_outcome": {"enum": [*sorted(AppealOutcome), None]},
            "custody": {"enum": [*sorted(CustodyChange), None]},
            "custody_changed_on": _NDATE,
            "history": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "kind", "changes", "at"],
                    "properties": {
                        "id": {"type": "integer"},
                        "kind": {"type": "string"},
                        "changes": {"type": "object"},
                        "note": {"type": "string"},
                        "at": {"type": "string", "format": "date-time"},
                        "actor_id": {"type": ["integer", "null"]},
                    },
                },
            },
        },
    },
    "OutcomeInput": {
        "type": "object",
        "required": ["defendant_id", "verdict"],
        "additionalProperties": False,
        "properties": {"defendant_id": {"type": "integer"}, **_INPUT_PROPERTIES},
    },
    "OutcomeChangeInput": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            **_INPUT_PROPERTIES,
            "custody": {"enum": sorted(CustodyChange)},
            "custody_changed_on": _NDATE,
        },
    },
})
openapi.add_paths({
    "/cases/{case_id}/outcomes": {
        "parameters": [openapi.id_param("case_id")],
        "get": openapi.op(
            "Outcomes per defendant, with their history", {"200": openapi.ok(openapi.items_of("Outcome"))}
        ),
        "post": openapi.op(
            "Record a verdict (moves the witnesses to post-trial, tells them, raises plan revisions)",
            {"201": openapi.ok(openapi.ref("Outcome"), "Created")}, "OutcomeInput",
        ),
    },
    "/outcomes/{outcome_id}": {
        "parameters": [openapi.id_param("outcome_id")],
        "patch": openapi.op(
            "Change an outcome: sentence, appeal, appeal outcome, custody change (kept as history)",
            {"200": openapi.ok(openapi.ref("Outcome"))}, "OutcomeChangeInput",
        ),
    },
})
