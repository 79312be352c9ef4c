"""API routes of remedies under /api/v1: compensation claims (with award and payments), residence
permits, charges against the witness and property taken as evidence; each listed, created and
moved on (a payment, a decision, a return) through the same operations as the pages.

Need-to-know per field (access.filter_fields): claims and payments are in the witness's
benefits_summary group; permits, charges and property in identity. Creating or changing one
needs the group too; a witness or record the caller may not see answers 404."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_login import current_user

from ..access import can_view_witness, filter_fields, load_visible, visible_groups
from ..api import body, bp, page_json, paged, reply_json, require
from ..api.openapi import PAGE_PARAMETERS, Op, add_paths, id_param
from ..api.schemas import Input, page_of
from ..errors import NotFound
from ..extensions import db
from ..permissions import PROTECTED_GROUPS, FieldGroup, Permission
from ..witnesses.models import Witness
from ..witnesses.operations import record_identity_view
from . import operations, queries, schemas
from .models import ChargeAgainstWitness, CompensationClaim, PropertyItem

MONEY, IDENTITY = FieldGroup.BENEFITS_SUMMARY, FieldGroup.IDENTITY


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


def _data(schema: type[Input], *amounts: str) -> dict[str, Any]:
    """The fields sent, checked by `schema`; an amount sent as a JSON number is passed on as its
    text, for the operation to check (positive, two decimals)."""
    data = body(schema).given()
    return data | {name: str(data[name]) for name in amounts if isinstance(data.get(name), int | float)}


def _text_defaults(data: dict[str, Any], *names: str) -> dict[str, Any]:
    """JSON null for an optional text field means empty text."""
    for name in names:
        if name in data and data[name] is None:
            data[name] = ""
    return data


# ---- answers -------------------------------------------------------------------------------------


def claim_answer(claim: CompensationClaim, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    data = schemas.CompensationClaim.of(claim).model_dump(mode="json")
    data["payments"] = [filter_fields(p, groups, "compensation_payment") for p in data["payments"]]
    return filter_fields(data, groups, "compensation_claim")


def permit_answer(permit: Any, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    return filter_fields(schemas.ResidencePermit.model_validate(permit).model_dump(mode="json"), groups,
                         "residence_permit")


def charge_answer(charge: Any, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    return filter_fields(schemas.ChargeAgainstWitness.model_validate(charge).model_dump(mode="json"), groups,
                         "charge_against_witness")


def property_answer(item: Any, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    return filter_fields(schemas.PropertyItem.model_validate(item).model_dump(mode="json"), groups, "property_item")


# ---- routes --------------------------------------------------------------------------------------


@bp.get("/witnesses/<int:witness_id>/compensation-claims")
def list_claims_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness, groups = _witness(witness_id, MONEY)
    page, next_after = paged(queries.claims_of(witness.id))
    return page_json([claim_answer(c, groups) for c in page], next_after)


@bp.post("/witnesses/<int:witness_id>/compensation-claims")
def open_claim_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    witness, groups = _witness(witness_id, MONEY)
    data = _text_defaults(_data(schemas.CompensationClaimInput, "amount_claimed"), "respondent_name", "acting")
    claim = operations.open_claim(current_user, witness, **data)
    db.session.commit()
    return reply_json(claim_answer(claim, groups), 201)


@bp.post("/compensation-claims/<int:claim_id>/award")
def record_award_api(claim_id: int) -> Response:
    require(Permission.WITNESS_EDIT)
    claim, _, groups = _owned(CompensationClaim, claim_id, MONEY)
    data = _text_defaults(_data(schemas.AwardInput, "amount_awarded"), "award_reason")
    operations.record_award(current_user, claim, **data)
    db.session.commit()
    return reply_json(claim_answer(claim, groups))


@bp.post("/compensation-claims/<int:claim_id>/payments")
def record_payment_api(claim_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    claim, _, groups = _owned(CompensationClaim, claim_id, MONEY)
    data = _text_defaults(_data(schemas.PaymentInput, "amount"), "note")
    operations.record_payment(current_user, claim, **data)
    db.session.commit()
    db.session.refresh(claim)
    return reply_json(claim_answer(claim, groups), 201)


@bp.get("/witnesses/<int:witness_id>/residence-permits")
def list_permits_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness, groups = _witness(witness_id, IDENTITY)
    _read_identity(witness, groups)
    page, next_after = paged(queries.permits_of(witness.id))
    return page_json([permit_answer(p, groups) for p in page], next_after)


@bp.post("/witnesses/<int:witness_id>/residence-permits")
def record_permit_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    witness, groups = _witness(witness_id, IDENTITY)
    permit = operations.record_permit(current_user, witness,
                                      **_text_defaults(_data(schemas.ResidencePermitInput), "number", "note"))
    db.session.commit()
    return reply_json(permit_answer(permit, groups), 201)


@bp.get("/witnesses/<int:witness_id>/charges")
def list_charges_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness, groups = _witness(witness_id, IDENTITY)
    _read_identity(witness, groups)
    page, next_after = paged(queries.charges_of(witness.id))
    return page_json([charge_answer(c, groups) for c in page], next_after)


@bp.post("/witnesses/<int:witness_id>/charges")
def record_charge_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    witness, groups = _witness(witness_id, IDENTITY)
    charge = operations.record_charge(current_user, witness,
                                      **_text_defaults(_data(schemas.ChargeInput), "details"))
    db.session.commit()
    return reply_json(charge_answer(charge, groups), 201)


@bp.post("/charges/<int:charge_id>/decision")
def decide_charge_api(charge_id: int) -> Response:
    require(Permission.CASE_EDIT)
    charge, _, groups = _owned(ChargeAgainstWitness, charge_id, IDENTITY)
    operations.decide_charge(current_user, charge, **_data(schemas.ChargeDecisionInput))
    db.session.commit()
    return reply_json(charge_answer(charge, groups))


@bp.get("/witnesses/<int:witness_id>/property")
def list_property_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness, groups = _witness(witness_id, IDENTITY)
    _read_identity(witness, groups)
    page, next_after = paged(queries.property_of(witness.id))
    return page_json([property_answer(i, groups) for i in page], next_after)


@bp.post("/witnesses/<int:witness_id>/property")
def record_property_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    witness, groups = _witness(witness_id, IDENTITY)
    data = _text_defaults(_data(schemas.PropertyItemInput), "description", "exhibit_reference", "held_at",
                          "needed_for", "taken_by")
    item = operations.record_property(current_user, witness, **data)
    db.session.commit()
    return reply_json(property_answer(item, groups), 201)


@bp.post("/property/<int:item_id>/return")
def record_return_api(item_id: int) -> Response:
    require(Permission.WITNESS_EDIT)
    item, _, groups = _owned(PropertyItem, item_id, IDENTITY)
    operations.record_property_return(current_user, item, **_data(schemas.PropertyReturnInput))
    db.session.commit()
    return reply_json(property_answer(item, groups))


# ---- OpenAPI -------------------------------------------------------------------------------------

_W = [id_param("witness_id")]
add_paths({
    "/witnesses/{witness_id}/compensation-claims": {
        "parameters": _W,
        "get": Op("The witness's compensation claims with their payments (benefits_summary group)",
                          {"200": page_of(schemas.CompensationClaim)}, parameters=PAGE_PARAMETERS),
        "post": Op("Record a compensation claim", {"201": schemas.CompensationClaim}, schemas.CompensationClaimInput),
    },
    "/compensation-claims/{claim_id}/award": {
        "parameters": [id_param("claim_id")],
        "post": Op("Record the award (more than claimed needs a reason)",
                           {"200": schemas.CompensationClaim}, schemas.AwardInput),
    },
    "/compensation-claims/{claim_id}/payments": {
        "parameters": [id_param("claim_id")],
        "post": Op("Record a payment on the award (refused once it is fully paid)",
                           {"201": schemas.CompensationClaim}, schemas.PaymentInput),
    },
    "/witnesses/{witness_id}/residence-permits": {
        "parameters": _W,
        "get": Op("The witness's residence permits (identity group; the read is audited)",
                          {"200": page_of(schemas.ResidencePermit)}, parameters=PAGE_PARAMETERS),
        "post": Op("Record a residence permit (expiry not before issue)",
                           {"201": schemas.ResidencePermit}, schemas.ResidencePermitInput),
    },
    "/witnesses/{witness_id}/charges": {
        "parameters": _W,
        "get": Op("Charges against the witness (identity group; the read is audited)",
                          {"200": page_of(schemas.ChargeAgainstWitness)}, parameters=PAGE_PARAMETERS),
        "post": Op("Record a charge against the witness",
                           {"201": schemas.ChargeAgainstWitness}, schemas.ChargeInput),
    },
    "/charges/{charge_id}/decision": {
        "parameters": [id_param("charge_id")],
        "post": Op("Record the prosecutor's decision on a charge",
                           {"200": schemas.ChargeAgainstWitness}, schemas.ChargeDecisionInput),
    },
    "/witnesses/{witness_id}/property": {
        "parameters": _W,
        "get": Op("Property taken as evidence (identity group; the read is audited)",
                          {"200": page_of(schemas.PropertyItem)}, parameters=PAGE_PARAMETERS),
        "post": Op("Record an item taken as evidence",
                           {"201": schemas.PropertyItem}, schemas.PropertyItemInput),
    },
    "/property/{item_id}/return": {
        "parameters": [id_param("item_id")],
        "post": Op("Record a return request, a collection date, the return, or why not (not before it "
                           "was taken)", {"200": schemas.PropertyItem}, schemas.PropertyReturnInput),
    },
})
