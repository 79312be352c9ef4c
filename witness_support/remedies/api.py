"""API routes of remedies under /api/v1: compensation claims (with award and payments), residence
permits, charges against the witness and property taken as evidence; each listed, created and
moved on (a payment, a decision, a return) through the same operations as the pages.

Need-to-know per field (access.filter_fields): claims and payments are in the witness's
benefits_summary group; permits, charges and property in identity. Creating or changing one
needs the group too; a witness or record the caller may not see answers 404."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, jsonify
from flask_login import current_user

from ..access import can_view_witness, document_groups, filter_fields, load_visible, visible_groups
from ..api import Field, bp, iso, json_body, openapi, parse, require
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import PROTECTED_GROUPS, FieldGroup, Permission
from ..witnesses.models import Witness
from ..witnesses.operations import record_identity_view
from . import operations, queries
from .models import (
    Arose,
    CaseDependence,
    ChargeAgainstWitness,
    ChargeDecision,
    ClaimStatus,
    CompensationClaim,
    CompensationPayment,
    HeadOfLoss,
    Offence,
    PermitKind,
    PropertyItem,
    PropertyKind,
    ResidencePermit,
    Respondent,
    Route,
)

MONEY, IDENTITY = FieldGroup.BENEFITS_SUMMARY, FieldGroup.IDENTITY


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def _witness(witness_id: int, group: FieldGroup | None = None) -> tuple[Witness, frozenset[FieldGroup]]:
    witness = load_visible(current_user, Witness, witness_id, can_view_witness)  # hidden or missing: one statement
    if witness is None:
        raise NotFound()
    groups = visible_groups(current_user, witness)
    if group is not None and group not in groups:
        raise NotFound()
    return witness, groups


def _owned(model: type, object_id: int, group: FieldGroup) -> tuple[Any, Witness, frozenset[FieldGroup]]:
    obj = db.session.get(model, object_id)
    if obj is None:
        raise NotFound()
    witness, groups = _witness(obj.witness_id, group)
    return obj, witness, groups


def _read_identity(witness: Witness, groups: frozenset[FieldGroup]) -> None:
    """Reads of identity data are audited, as on the pages."""
    if IDENTITY in groups:
        record_identity_view(current_user, witness, via="api:remedies", groups=groups & PROTECTED_GROUPS)
        db.session.commit()


def _parse(fields: dict[str, Field], *amounts: str) -> dict[str, Any]:
    """The JSON body checked against `fields`; an amount may be a string ("125.50", exact) or a JSON
    number, and the operation checks its value (positive, two decimals)."""
    data = json_body()
    taken = {name: data.pop(name) for name in amounts if name in data}
    errors: dict[str, str] = {}
    for name, value in taken.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
            errors[name] = 'Give the amount as a string such as "125.50".'
    try:
        parsed = parse(data, {k: v for k, v in fields.items() if k not in amounts})
    except ValidationFailed as exc:
        raise ValidationFailed({**exc.field_errors, **errors}) from None
    if errors:
        raise ValidationFailed(errors)
    for name in amounts:
        if fields[name].required and name not in taken:
            raise ValidationFailed({name: "This field is required."})
    return parsed | {name: str(value) if isinstance(value, int | float) else value for name, value in taken.items()}


# ---- serialisers ---------------------------------------------------------------------------------


def payment_json(payment: CompensationPayment, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    return filter_fields({
        "id": payment.id, "claim_id": payment.claim_id, "paid_on": iso(payment.paid_on),
        "amount": _money(payment.amount), "currency": payment.currency, "note": payment.note,
    }, groups, "compensation_payment")


def claim_json(claim: CompensationClaim, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    return filter_fields({
        "id": claim.id, "witness_id": claim.witness_id, "case_id": claim.case_id, "route": claim.route,
        "respondent": claim.respondent, "defendant_id": claim.defendant_id, "respondent_name": claim.respondent_name,
        "heads_of_loss": list(claim.heads_of_loss or []), "amount_claimed": _money(claim.amount_claimed),
        "claimed_currency": claim.claimed_currency, "amount_awarded": _money(claim.amount_awarded),
        "awarded_currency": claim.awarded_currency, "awarded_on": iso(claim.awarded_on),
        "award_reason": claim.award_reason,
        "amount_paid": _money(claim.paid_total) if claim.amount_awarded is not None else None,
        "payments": [payment_json(p, groups) for p in claim.payments],
        **{name: iso(getattr(claim, name)) for name in _CLAIM_DATES},
        "status": claim.status, "acting": claim.acting, "outcome_id": claim.outcome_id,
    }, groups, "compensation_claim")


def permit_json(permit: ResidencePermit, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    return filter_fields({
        "id": permit.id, "witness_id": permit.witness_id, "case_id": permit.case_id, "kind": permit.kind,
        "number": permit.number, "issued_on": iso(permit.issued_on), "expires_on": iso(permit.expires_on),
        "depends_on_case": permit.depends_on_case, "note": permit.note,
    }, groups, "residence_permit")


def charge_json(charge: ChargeAgainstWitness, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    return filter_fields({
        "id": charge.id, "witness_id": charge.witness_id, "offence": charge.offence, "details": charge.details,
        "arose_from_trafficking": charge.arose_from_trafficking, "decision": charge.decision,
        "decided_on": iso(charge.decided_on),
    }, groups, "charge_against_witness")


def property_json(item: PropertyItem, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    return filter_fields({
        "id": item.id, "witness_id": item.witness_id, "case_id": item.case_id, "kind": item.kind,
        "description": item.description, "taken_on": iso(item.taken_on), "taken_by": item.taken_by,
        "exhibit_reference": item.exhibit_reference, "held_at": item.held_at,
        "needed_urgently": item.needed_urgently, "needed_for": item.needed_for,
        "return_requested_on": iso(item.return_requested_on), "collectable_from": iso(item.collectable_from),
        "returned_on": iso(item.returned_on), "not_returned_reason": item.not_returned_reason,
    }, groups, "property_item")


# ---- input ---------------------------------------------------------------------------------------

_CLAIM_DATES = ("limitation_on", "filing_due_on", "filed_on", "hearing_on", "payment_due_on")
CLAIM_FIELDS = {
    "route": Field(str, required=True, nullable=False, choices=set(Route)),
    "respondent": Field(str, required=True, nullable=False, choices=set(Respondent)),
    "case_id": Field(int), "defendant_id": Field(int),
    "respondent_name": Field(str, max_length=200),
    "heads_of_loss": Field(list),
    "amount_claimed": Field(str), "claimed_currency": Field(str, max_length=10),
    **{name: Field(date) for name in _CLAIM_DATES},
    "status": Field(str, choices=set(ClaimStatus) - {ClaimStatus.PAID}),
    "acting": Field(str, max_length=200),
}
AWARD_FIELDS = {
    "amount_awarded": Field(str, required=True), "awarded_currency": Field(str, max_length=10),
    "awarded_on": Field(date), "payment_due_on": Field(date), "award_reason": Field(str, max_length=2000),
}
PAYMENT_FIELDS = {
    "amount": Field(str, required=True), "currency": Field(str, max_length=10),
    "paid_on": Field(date, required=True), "note": Field(str, max_length=2000),
}
PERMIT_FIELDS = {
    "kind": Field(str, required=True, nullable=False, choices=set(PermitKind)),
    "number": Field(str, max_length=100), "issued_on": Field(date, required=True), "expires_on": Field(date),
    "depends_on_case": Field(str, nullable=False, choices=set(CaseDependence)), "case_id": Field(int),
    "note": Field(str, max_length=2000),
}
CHARGE_FIELDS = {
    "offence": Field(str, required=True, nullable=False, choices=set(Offence)),
    "details": Field(str, max_length=2000),
    "arose_from_trafficking": Field(str, nullable=False, choices=set(Arose)),
    "decision": Field(str, nullable=False, choices=set(ChargeDecision)), "decided_on": Field(date),
}
DECISION_FIELDS = {
    "decision": Field(str, required=True, nullable=False, choices=set(ChargeDecision)), "decided_on": Field(date),
}
PROPERTY_FIELDS = {
    "kind": Field(str, required=True, nullable=False, choices=set(PropertyKind)),
    "description": Field(str, max_length=2000), "taken_on": Field(date, required=True),
    "taken_by": Field(str, required=True, max_length=200), "exhibit_reference": Field(str, max_length=100),
    "held_at": Field(str, max_length=200), "needed_urgently": Field(bool, nullable=False),
    "needed_for": Field(str, max_length=300), "case_id": Field(int), "return_requested_on": Field(date),
}
RETURN_FIELDS = {
    "return_requested_on": Field(date), "collectable_from": Field(date), "returned_on": Field(date),
    "not_returned_reason": Field(str, max_length=2000),
}


def _text_defaults(data: dict[str, Any], *names: str) -> dict[str, Any]:
    """JSON null for an optional text field means empty text."""
    for name in names:
        if name in data and data[name] is None:
            data[name] = ""
    return data


# ---- routes --------------------------------------------------------------------------------------


@bp.get("/witnesses/<int:witness_id>/compensation-claims")
def list_claims_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness, groups = _witness(witness_id, MONEY)
    return jsonify({"items": [claim_json(c, groups) for c in queries.claims_of(witness.id)]})


@bp.post("/witnesses/<int:witness_id>/compensation-claims")
def open_claim_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    witness, groups = _witness(witness_id, MONEY)
    data = _text_defaults(_parse(CLAIM_FIELDS, "amount_claimed"), "respondent_name", "acting")
    claim = operations.open_claim(current_user, witness, **data)
    db.session.commit()
    return jsonify(claim_json(claim, groups)), 201


@bp.post("/compensation-claims/<int:claim_id>/award")
def record_award_api(claim_id: int) -> Response:
    require(Permission.WITNESS_EDIT)
    claim, _, groups = _owned(CompensationClaim, claim_id, MONEY)
    data = _text_defaults(_parse(AWARD_FIELDS, "amount_awarded"), "award_reason")
    operations.record_award(current_user, claim, **data)
    db.session.commit()
    return jsonify(claim_json(claim, groups))


@bp.post("/compensation-claims/<int:claim_id>/payments")
def record_payment_api(claim_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    claim, _, groups = _owned(CompensationClaim, claim_id, MONEY)
    data = _text_defaults(_parse(PAYMENT_FIELDS, "amount"), "note")
    operations.record_payment(current_user, claim, **data)
    db.session.commit()
    db.session.refresh(claim)
    return jsonify(claim_json(claim, groups)), 201


@bp.get("/witnesses/<int:witness_id>/residence-permits")
def list_permits_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness, groups = _witness(witness_id, IDENTITY)
    _read_identity(witness, groups)
    return jsonify({"items": [permit_json(p, groups) for p in queries.permits_of(witness.id)]})


@bp.post("/witnesses/<int:witness_id>/residence-permits")
def record_permit_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    witness, groups = _witness(witness_id, IDENTITY)
    permit = operations.record_permit(current_user, witness,
                                      **_text_defaults(parse(json_body(), PERMIT_FIELDS), "number", "note"))
    db.session.commit()
    return jsonify(permit_json(permit, groups)), 201


@bp.get("/witnesses/<int:witness_id>/charges")
def list_charges_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness, groups = _witness(witness_id, IDENTITY)
    _read_identity(witness, groups)
    return jsonify({"items": [charge_json(c, groups) for c in queries.charges_of(witness.id)]})


@bp.post("/witnesses/<int:witness_id>/charges")
def record_charge_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    witness, groups = _witness(witness_id, IDENTITY)
    charge = operations.record_charge(current_user, witness,
                                      **_text_defaults(parse(json_body(), CHARGE_FIELDS), "details"))
    db.session.commit()
    return jsonify(charge_json(charge, groups)), 201


@bp.post("/charges/<int:charge_id>/decision")
def decide_charge_api(charge_id: int) -> Response:
    require(Permission.CASE_EDIT)
    charge, _, groups = _owned(ChargeAgainstWitness, charge_id, IDENTITY)
    operations.decide_charge(current_user, charge, **parse(json_body(), DECISION_FIELDS))
    db.session.commit()
    return jsonify(charge_json(charge, groups))


@bp.get("/witnesses/<int:witness_id>/property")
def list_property_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness, groups = _witness(witness_id, IDENTITY)
    _read_identity(witness, groups)
    return jsonify({"items": [property_json(i, groups) for i in queries.property_of(witness.id)]})


@bp.post("/witnesses/<int:witness_id>/property")
def record_property_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    witness, groups = _witness(witness_id, IDENTITY)
    data = _text_defaults(parse(json_body(), PROPERTY_FIELDS), "description", "exhibit_reference", "held_at",
                          "needed_for", "taken_by")
    item = operations.record_property(current_user, witness, **data)
    db.session.commit()
    return jsonify(property_json(item, groups)), 201


@bp.post("/property/<int:item_id>/return")
def record_return_api(item_id: int) -> Response:
    require(Permission.WITNESS_EDIT)
    item, _, groups = _owned(PropertyItem, item_id, IDENTITY)
    operations.record_property_return(current_user, item, **parse(json_body(), RETURN_FIELDS))
    db.session.commit()
    return jsonify(property_json(item, groups))


# ---- OpenAPI -------------------------------------------------------------------------------------

_DATE = {"type": ["string", "null"], "format": "date"}
_TEXT = {"type": "string"}
_AMOUNT = {"type": ["string", "null"], "pattern": "^[0-9]{1,12}\\.[0-9]{2}$"}
_AMOUNT_IN = {"type": ["string", "number", "null"], "description": 'A positive amount, best as a string ("125.50").'}
_CURRENCY = {"type": ["string", "null"], "description": "ISO 4217 code, such as EUR."}
_ID = {"type": "integer"}
_NID = {"type": ["integer", "null"]}


def _enum(values: type, nullable: bool = False) -> dict[str, Any]:
    return {"enum": [*sorted(values), *([None] if nullable else [])]}


def _input(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "additionalProperties": False, "properties": properties}


openapi.add_schemas({
    "CompensationPayment": document_groups({
        "type": "object", "required": ["id", "claim_id"],
        "properties": {"id": _ID, "claim_id": _ID, "paid_on": _DATE, "amount": _AMOUNT, "currency": _CURRENCY,
                       "note": _TEXT},
    }, "compensation_payment"),
    "CompensationClaim": document_groups({
        "type": "object", "required": ["id", "witness_id"],
        "properties": {
            "id": _ID, "witness_id": _ID, "case_id": _NID, "route": _enum(Route), "respondent": _enum(Respondent),
            "defendant_id": _NID, "respondent_name": _TEXT,
            "heads_of_loss": {"type": "array", "items": _enum(HeadOfLoss)},
            "amount_claimed": _AMOUNT, "claimed_currency": _CURRENCY, "amount_awarded": _AMOUNT,
            "awarded_currency": _CURRENCY, "awarded_on": _DATE, "award_reason": _TEXT, "amount_paid": _AMOUNT,
            "payments": {"type": "array", "items": openapi.ref("CompensationPayment")},
            **dict.fromkeys(_CLAIM_DATES, _DATE), "status": _enum(ClaimStatus), "acting": _TEXT,
            "outcome_id": _NID,
        },
    }, "compensation_claim"),
    "ResidencePermit": document_groups({
        "type": "object", "required": ["id", "witness_id"],
        "properties": {"id": _ID, "witness_id": _ID, "case_id": _NID, "kind": _enum(PermitKind), "number": _TEXT,
                       "issued_on": _DATE, "expires_on": _DATE, "depends_on_case": _enum(CaseDependence),
                       "note": _TEXT},
    }, "residence_permit"),
    "ChargeAgainstWitness": document_groups({
        "type": "object", "required": ["id", "witness_id"],
        "properties": {"id": _ID, "witness_id": _ID, "offence": _enum(Offence), "details": _TEXT,
                       "arose_from_trafficking": _enum(Arose), "decision": _enum(ChargeDecision),
                       "decided_on": _DATE},
    }, "charge_against_witness"),
    "PropertyItem": document_groups({
        "type": "object", "required": ["id", "witness_id"],
        "properties": {"id": _ID, "witness_id": _ID, "case_id": _NID, "kind": _enum(PropertyKind),
                       "description": _TEXT, "taken_on": _DATE, "taken_by": _TEXT, "exhibit_reference": _TEXT,
                       "held_at": _TEXT, "needed_urgently": {"type": "boolean"}, "needed_for": _TEXT,
                       "return_requested_on": _DATE, "collectable_from": _DATE, "returned_on": _DATE,
                       "not_returned_reason": _TEXT},
    }, "property_item"),
    "CompensationClaimInput": _input(["route", "respondent"], {
        "route": _enum(Route), "respondent": _enum(Respondent), "case_id": _NID, "defendant_id": _NID,
        "respondent_name": {"type": ["string", "null"], "maxLength": 200},
        "heads_of_loss": {"type": "array", "items": _enum(HeadOfLoss)},
        "amount_claimed": _AMOUNT_IN, "claimed_currency": _CURRENCY, **dict.fromkeys(_CLAIM_DATES, _DATE),
        "status": {"enum": sorted(set(ClaimStatus) - {ClaimStatus.PAID})},
        "acting": {"type": ["string", "null"], "maxLength": 200},
    }),
    "AwardInput": _input(["amount_awarded"], {
        "amount_awarded": _AMOUNT_IN, "awarded_currency": _CURRENCY, "awarded_on": _DATE, "payment_due_on": _DATE,
        "award_reason": {"type": ["string", "null"], "maxLength": 2000,
                         "description": "Required when the award is more than was claimed."},
    }),
    "PaymentInput": _input(["amount", "paid_on"], {
        "amount": _AMOUNT_IN, "currency": _CURRENCY, "paid_on": _DATE,
        "note": {"type": ["string", "null"], "maxLength": 2000},
    }),
    "ResidencePermitInput": _input(["kind", "issued_on"], {
        "kind": _enum(PermitKind), "number": {"type": ["string", "null"], "maxLength": 100}, "issued_on": _DATE,
        "expires_on": _DATE, "depends_on_case": _enum(CaseDependence), "case_id": _NID,
        "note": {"type": ["string", "null"], "maxLength": 2000},
    }),
    "ChargeInput": _input(["offence"], {
        "offence": _enum(Offence), "details": {"type": ["string", "null"], "maxLength": 2000},
        "arose_from_trafficking": _enum(Arose), "decision": _enum(ChargeDecision), "decided_on": _DATE,
    }),
    "ChargeDecisionInput": _input(["decision"], {"decision": _enum(ChargeDecision), "decided_on": _DATE}),
    "PropertyItemInput": _input(["kind", "taken_on", "taken_by"], {
        "kind": _enum(PropertyKind), "description": {"type": ["string", "null"], "maxLength": 2000},
        "taken_on": _DATE, "taken_by": {"type": "string", "maxLength": 200},
        "exhibit_reference": {"type": ["string", "null"], "maxLength": 100},
        "held_at": {"type": ["string", "null"], "maxLength": 200}, "needed_urgently": {"type": "boolean"},
        "needed_for": {"type": ["string", "null"], "maxLength": 300}, "case_id": _NID,
        "return_requested_on": _DATE,
    }),
    "PropertyReturnInput": _input([], {
        "return_requested_on": _DATE, "collectable_from": _DATE, "returned_on": _DATE,
        "not_returned_reason": {"type": ["string", "null"], "maxLength": 2000},
    }),
})

_W = [openapi.id_param("witness_id")]
openapi.add_paths({
    "/witnesses/{witness_id}/compensation-claims": {
        "parameters": _W,
        "get": openapi.op("The witness's compensation claims with their payments (benefits_summary group)",
                          {"200": openapi.ok(openapi.items_of("CompensationClaim"))}),
        "post": openapi.op("Record a compensation claim", {"201": openapi.ok(openapi.ref("CompensationClaim"),
                                                                              "Created")}, "CompensationClaimInput"),
    },
    "/compensation-claims/{claim_id}/award": {
        "parameters": [openapi.id_param("claim_id")],
        "post": openapi.op("Record the award (more than claimed needs a reason)",
                           {"200": openapi.ok(openapi.ref("CompensationClaim"))}, "AwardInput"),
    },
    "/compensation-claims/{claim_id}/payments": {
        "parameters": [openapi.id_param("claim_id")],
        "post": openapi.op("Record a payment on the award (refused once it is fully paid)",
                           {"201": openapi.ok(openapi.ref("CompensationClaim"), "Created")}, "PaymentInput"),
    },
    "/witnesses/{witness_id}/residence-permits": {
        "parameters": _W,
        "get": openapi.op("The witness's residence permits (identity group; the read is audited)",
                          {"200": openapi.ok(openapi.items_of("ResidencePermit"))}),
        "post": openapi.op("Record a residence permit (expiry not before issue)",
                           {"201": openapi.ok(openapi.ref("ResidencePermit"), "Created")}, "ResidencePermitInput"),
    },
    "/witnesses/{witness_id}/charges": {
        "parameters": _W,
        "get": openapi.op("Charges against the witness (identity group; the read is audited)",
                          {"200": openapi.ok(openapi.items_of("ChargeAgainstWitness"))}),
        "post": openapi.op("Record a charge against the witness",
                           {"201": openapi.ok(openapi.ref("ChargeAgainstWitness"), "Created")}, "ChargeInput"),
    },
    "/charges/{charge_id}/decision": {
        "parameters": [openapi.id_param("charge_id")],
        "post": openapi.op("Record the prosecutor's decision on a charge",
                           {"200": openapi.ok(openapi.ref("ChargeAgainstWitness"))}, "ChargeDecisionInput"),
    },
    "/witnesses/{witness_id}/property": {
        "parameters": _W,
        "get": openapi.op("Property taken as evidence (identity group; the read is audited)",
                          {"200": openapi.ok(openapi.items_of("PropertyItem"))}),
        "post": openapi.op("Record an item taken as evidence",
                           {"201": openapi.ok(openapi.ref("PropertyItem"), "Created")}, "PropertyItemInput"),
    },
    "/property/{item_id}/return": {
        "parameters": [openapi.id_param("item_id")],
        "post": openapi.op("Record a return request, a collection date, the return, or why not (not before it "
                           "was taken)", {"200": openapi.ok(openapi.ref("PropertyItem"))}, "PropertyReturnInput"),
    },
})
