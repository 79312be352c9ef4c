"""API routes of the benefits ledger: entries, corrections, concerns and the disclosure schedule.

A benefit is never changed or deleted: PUT, PATCH and DELETE answer 405 and point to corrections.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, jsonify, request
from flask_login import current_user

from ..auth.models import User
from ..cases.models import Case
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..ledger import operations as ledger_ops
from ..ledger.export import concern_json, entry_json, schedule_csv, schedule_json, total_json
from ..ledger.models import BenefitEntry, BenefitKind, CorrectionType
from ..permissions import Permission, can_view_case, can_view_witness
from ..witnesses.models import Witness
from . import Field, bp, error_response, json_body, openapi, parse, require
from .witnesses import load_witness

BENEFIT_FIELDS = {
    "kind": Field(str, required=True, nullable=False, choices=set(BenefitKind)),
    "description": Field(str, required=True, nullable=False, max_length=2000),
    "currency": Field(str, max_length=3),
    "provided_on": Field(date, required=True, nullable=False),
    "provided_until": Field(date),
    "provider": Field(str, required=True, nullable=False, max_length=200),
    "rationale": Field(str, required=True, nullable=False, max_length=5000),
    "authorised_by_id": Field(int),
}
CORRECTION_FIELDS = {
    "correction_type": Field(str, required=True, nullable=False, choices=set(CorrectionType)),
    "reason": Field(str, required=True, nullable=False, max_length=5000),
    "authorised_by_id": Field(int),
}
CONCERN_FIELDS = {"description": Field(str, required=True, nullable=False, max_length=5000)}


def _with_amount(data: dict[str, Any], fields: dict[str, Field]) -> dict[str, Any]:
    """The amount may be a string ("12.50", exact) or a JSON number; the operation checks it."""
    data = dict(data)
    amount = data.pop("amount", None)
    errors: dict[str, str] = {}
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, str | int | float)):
        errors["amount"] = 'Give the amount as a string such as "125.50", or null.'
    try:
        parsed = parse(data, fields)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.field_errors | errors) from None
    if errors:
        raise ValidationFailed(errors)
    parsed["amount"] = amount
    return parsed


def _authoriser(data: dict[str, Any]) -> User | None:
    user_id = data.pop("authorised_by_id", None)
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None:
        raise ValidationFailed(
            {"authorised_by_id": "The authoriser must be a liaison officer or prosecutor assigned to this witness."}
        )
    return user


def load_entry(entry_id: int) -> BenefitEntry:
    entry = db.session.get(BenefitEntry, entry_id)
    if entry is None or not can_view_witness(current_user, entry.witness):
        raise NotFound()
    return entry


@bp.get("/witnesses/<int:witness_id>/benefits")
def list_benefits_api(witness_id: int) -> Response:
    require(Permission.BENEFIT_VIEW)
    witness = load_witness(witness_id)
    entries = ledger_ops.entries_for([witness.id])
    return jsonify(
        {"items": [entry_json(e) for e in entries], "totals": [total_json(t) for t in ledger_ops.totals(entries)]}
    )


@bp.post("/witnesses/<int:witness_id>/benefits")
def record_benefit_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.BENEFIT_RECORD)
    witness = load_witness(witness_id)
    data = _with_amount(json_body(), BENEFIT_FIELDS)
    authoriser = _authoriser(data)
    entry = ledger_ops.record_benefit(current_user, witness, authorised_by=authoriser, **data)
    db.session.commit()
    return jsonify(entry_json(entry)), 201


@bp.get("/benefits/<int:entry_id>")
def get_benefit_api(entry_id: int) -> Response:
    require(Permission.BENEFIT_VIEW)
    return jsonify(entry_json(load_entry(entry_id)))


@bp.route("/benefits/<int:entry_id>", methods=["PUT", "PATCH", "DELETE"])
def change_benefit_api(entry_id: int) -> Response:
    # Someone who may not see the entry learns nothing, not even that it cannot be changed.
    require(Permission.BENEFIT_VIEW)
    load_entry(entry_id)
    response = error_response(
        405, "method_not_allowed",
        "A benefit entry is never changed or deleted. Record a correction: "
        f"POST /api/v1/benefits/{entry_id}/corrections.",
    )
    response.headers["Allow"] = "GET, HEAD, OPTIONS"
    return response


@bp.post("/benefits/<int:entry_id>/corrections")
def correct_benefit_api(entry_id: int) -> tuple[Response, int]:
    require(Permission.BENEFIT_RECORD)
    original = load_entry(entry_id)
    data = _with_amount(json_body(), CORRECTION_FIELDS)
    authoriser = _authoriser(data)
    entry = ledger_ops.correct_benefit(current_user, original, authorised_by=authoriser, **data)
    db.session.commit()
    return jsonify(entry_json(entry)), 201


@bp.post("/benefits/<int:entry_id>/concerns")
def raise_entry_concern_api(entry_id: int) -> tuple[Response, int]:
    require(Permission.CONCERN_RAISE)
    entry = load_entry(entry_id)
    data = parse(json_body(), CONCERN_FIELDS)
    concern = ledger_ops.raise_concern(current_user, entry.witness, data["description"], entry)
    db.session.commit()
    return jsonify(concern_json(concern)), 201


@bp.post("/witnesses/<int:witness_id>/concerns")
def raise_witness_concern_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.CONCERN_RAISE)
    witness = load_witness(witness_id)
    data = parse(json_body(), CONCERN_FIELDS)
    concern = ledger_ops.raise_concern(current_user, witness, data["description"])
    db.session.commit()
    return jsonify(concern_json(concern)), 201


def _schedule_response(schedule: ledger_ops.Schedule, filename: str) -> Response:
    wants = request.accept_mimetypes.best_match(["application/json", "text/csv"], default="application/json")
    fmt = "csv" if wants == "text/csv" else "json"
    ledger_ops.record_schedule_view(current_user, schedule, f"api-{fmt}")
    db.session.commit()
    if fmt == "csv":
        response = Response(schedule_csv(schedule), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    return jsonify(schedule_json(schedule))


@bp.get("/cases/<int:case_id>/disclosure")
def case_disclosure_api(case_id: int) -> Response:
    require(Permission.DISCLOSURE_VIEW)
    case = db.session.get(Case, case_id)
    if case is None or not can_view_case(current_user, case):
        raise NotFound()
    return _schedule_response(ledger_ops.build_schedule(case=case), f"disclosure-case-{case.id}")


@bp.get("/witnesses/<int:witness_id>/disclosure")
def witness_disclosure_api(witness_id: int) -> Response:
    require(Permission.DISCLOSURE_VIEW)
    witness: Witness = load_witness(witness_id)
    return _schedule_response(ledger_ops.build_schedule(witness=witness), f"disclosure-{witness.reference}")


# ---- OpenAPI -------------------------------------------------------------------------------------

MONEY = {"type": ["string", "null"], "pattern": "^-?[0-9]{1,12}\\.[0-9]{2}$"}
PERSON = {"type": "object", "required": ["id", "name"],
          "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
KINDS = sorted(str(k) for k in BenefitKind)
HASH = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
DATE = {"type": ["string", "null"], "format": "date"}

openapi.add_schemas({
    "BenefitEntry": {
        "type": "object",
        "required": ["id", "sequence", "witness_id", "kind", "description", "amount", "currency", "provided_on",
                     "provider", "rationale", "authorised_by", "entered_by", "entered_at", "corrects_id",
                     "correction_type", "prev_hash", "hash"],
        "properties": {
            "id": {"type": "integer"},
            "sequence": {"type": "integer", "description": "Position in the hash chain (equals id)."},
            "witness_id": {"type": "integer"},
            "kind": {"enum": KINDS},
            "description": {"type": "string"},
            "amount": MONEY | {"description": "Signed decimal string; negative for reductions by correction."},
            "currency": {"type": ["string", "null"], "pattern": "^[A-Z]{3}$"},
            "provided_on": {"type": "string", "format": "date"},
            "provided_until": DATE,
            "provider": {"type": "string"},
            "rationale": {"type": "string", "description": "The need the benefit meets."},
            "authorised_by": PERSON,
            "entered_by": PERSON,
            "entered_at": {"type": "string", "format": "date-time"},
            "corrects_id": {"type": ["integer", "null"]},
            "correction_type": {"enum": ["reversal", "adjustment", None]},
            "correction_reason": {"type": ["string", "null"]},
            "prev_hash": HASH,
            "hash": HASH,
            "near_testimony": {"type": "array", "items": {"type": "string", "format": "date"}},
            "corrected_by": {"type": "array", "items": {"type": "integer"}},
        },
    },
    "BenefitInput": {
        "type": "object",
        "required": ["kind", "description", "provided_on", "provider", "rationale"],
        "additionalProperties": False,
        "properties": {
            "kind": {"enum": KINDS},
            "description": {"type": "string", "maxLength": 2000},
            "amount": {"type": ["string", "number", "null"], "examples": ["125.50"],
                       "description": "More than zero, at most two decimals; with a currency, or null."},
            "currency": {"type": ["string", "null"], "description": "ISO 4217 code", "examples": ["IDR"]},
            "provided_on": {"type": "string", "format": "date"},
            "provided_until": DATE | {"description": "Last day of recurring support (e.g. accommodation)."},
            "provider": {"type": "string", "maxLength": 200},
            "rationale": {"type": "string", "minLength": 20, "maxLength": 5000},
            "authorised_by_id": {"type": ["integer", "null"], "description":
                                 "A liaison officer or prosecutor assigned to the witness; defaults to you. "
                                 "Must be someone else for second-person kinds and amounts."},
        },
    },
    "CorrectionInput": {
        "type": "object",
        "required": ["correction_type", "reason"],
        "additionalProperties": False,
        "properties": {
            "correction_type": {"enum": ["reversal", "adjustment"]},
            "reason": {"type": "string", "minLength": 20, "maxLength": 5000},
            "amount": {"type": ["string", "number", "null"],
                       "description": "Adjustments only: the signed difference, e.g. \"-20.00\"."},
            "authorised_by_id": {"type": ["integer", "null"]},
        },
    },
    "BenefitTotal": {
        "type": "object",
        "required": ["kind", "currency", "amount", "entries"],
        "properties": {"kind": {"enum": KINDS}, "currency": {"type": ["string", "null"]}, "amount": MONEY,
                       "entries": {"type": "integer"}},
    },
    "Concern": {
        "type": "object",
        "required": ["id", "witness_id", "entry_id", "description", "raised_at", "status"],
        "properties": {
            "id": {"type": "integer"}, "witness_id": {"type": "integer"}, "entry_id": {"type": ["integer", "null"]},
            "description": {"type": "string"}, "raised_by": {"type": ["string", "null"]},
            "raised_at": {"type": "string", "format": "date-time"}, "status": {"enum": ["open", "resolved"]},
            "resolved_at": {"type": ["string", "null"], "format": "date-time"},
            "resolved_by": {"type": ["string", "null"]}, "resolution": {"type": ["string", "null"]},
        },
    },
    "ConcernInput": {
        "type": "object", "required": ["description"], "additionalProperties": False,
        "properties": {"description": {"type": "string", "minLength": 10, "maxLength": 5000}},
    },
    "DisclosureSchedule": {
        "type": "object",
        "required": ["title", "generated_at", "up_to_sequence", "witnesses", "totals", "checkpoint", "disclosures"],
        "properties": {
            "title": {"type": "string"},
            "case_id": {"type": ["integer", "null"]},
            "witness_id": {"type": ["integer", "null"]},
            "generated_at": {"type": "string", "format": "date-time"},
            "up_to_sequence": {"type": "integer"},
            "testimony_window_days": {"type": "integer"},
            "witnesses": {"type": "array", "items": {
                "type": "object",
                "required": ["witness_id", "witness_reference", "entries", "totals", "concerns", "testimony_dates"],
                "properties": {
                    "witness_id": {"type": "integer"},
                    "witness_reference": {"type": "string"},
                    "testimony_dates": {"type": "array", "items": {"type": "string", "format": "date"}},
                    "entries": {"type": "array", "items": openapi.ref("BenefitEntry")},
                    "totals": {"type": "array", "items": openapi.ref("BenefitTotal")},
                    "concerns": {"type": "array", "items": openapi.ref("Concern")},
                },
            }},
            "totals": {"type": "array", "items": openapi.ref("BenefitTotal")},
            "checkpoint": {"type": ["object", "null"], "required": ["sequence", "head_hash", "signature"],
                           "properties": {"id": {"type": "integer"}, "sequence": {"type": "integer"},
                                          "head_hash": HASH, "created_at": {"type": "string", "format": "date-time"},
                                          "key_id": {"type": "string"}, "signature": HASH,
                                          "signature_valid": {"type": "boolean"}}},
            "disclosures": {"type": "array", "items": {
                "type": "object", "required": ["disclosed_on", "up_to_sequence"],
                "properties": {"id": {"type": "integer"}, "disclosed_on": {"type": "string", "format": "date"},
                               "up_to_sequence": {"type": "integer"}, "note": {"type": "string"},
                               "recorded_by": {"type": "string"}}}},
            "undisclosed_sequences": {"type": "array", "items": {"type": "integer"}},
        },
    },
})

_NOT_ALLOWED = {
    "description": "Ledger entries are never changed or deleted; record a correction instead",
    **openapi.json_content(openapi.ref("Error")),
}
_SCHEDULE_RESPONSES = {
    "200": {
        "description": "The schedule (every view and export is audited)",
        "content": {
            "application/json": {"schema": openapi.ref("DisclosureSchedule")},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}

openapi.add_paths({
    "/witnesses/{witness_id}/benefits": {
        "parameters": [openapi.id_param("witness_id")],
        "get": openapi.op("The witness's benefits in date order, corrections included, with net totals", {
            "200": openapi.ok({"type": "object", "required": ["items", "totals"], "properties": {
                "items": {"type": "array", "items": openapi.ref("BenefitEntry")},
                "totals": {"type": "array", "items": openapi.ref("BenefitTotal")}}}),
        }),
        "post": openapi.op("Record a benefit given to the witness (appended to the hash chain)",
                           {"201": openapi.ok(openapi.ref("BenefitEntry"), "Created")}, "BenefitInput"),
    },
    "/benefits/{entry_id}": {
        "parameters": [openapi.id_param("entry_id")],
        "get": openapi.op("One ledger entry", {"200": openapi.ok(openapi.ref("BenefitEntry"))}),
        "put": openapi.op("Not allowed: entries are never changed", {"405": _NOT_ALLOWED}),
        "patch": openapi.op("Not allowed: entries are never changed", {"405": _NOT_ALLOWED}),
        "delete": openapi.op("Not allowed: entries are never deleted", {"405": _NOT_ALLOWED}),
    },
    "/benefits/{entry_id}/corrections": {
        "parameters": [openapi.id_param("entry_id")],
        "post": openapi.op("Reverse or adjust an entry with a new entry; both stay visible",
                           {"201": openapi.ok(openapi.ref("BenefitEntry"), "Created")}, "CorrectionInput"),
    },
    "/benefits/{entry_id}/concerns": {
        "parameters": [openapi.id_param("entry_id")],
        "post": openapi.op("Raise a concern of misuse or abuse of support against an entry",
                           {"201": openapi.ok(openapi.ref("Concern"), "Created")}, "ConcernInput"),
    },
    "/witnesses/{witness_id}/concerns": {
        "parameters": [openapi.id_param("witness_id")],
        "post": openapi.op("Raise a concern of misuse or abuse of support about a witness",
                           {"201": openapi.ok(openapi.ref("Concern"), "Created")}, "ConcernInput"),
    },
    "/cases/{case_id}/disclosure": {
        "parameters": [openapi.id_param("case_id")],
        "get": openapi.op("The case's benefits disclosure schedule; CSV with Accept: text/csv",
                          _SCHEDULE_RESPONSES),
    },
    "/witnesses/{witness_id}/disclosure": {
        "parameters": [openapi.id_param("witness_id")],
        "get": openapi.op("The witness's benefits disclosure schedule; CSV with Accept: text/csv",
                          _SCHEDULE_RESPONSES),
    },
})
