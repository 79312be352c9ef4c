"""API routes of remedies under /api/v1: compensation claims (with award and payments), residence
permits, charges against the witness and property taken as evidence; each listed, created and
moved on (a payment, a decision, a return) through the same operations as the pages.

Need-to-know per field (access.filter_fields): claims and payments are in the witness's
benefits_summary group; permits, charges and property in identity. Creating or changing one
needs the group too; a witness or record the caller may not see answers 404."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import Response
from flask_login import current_user
from pydantic import BaseModel

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


# ---- answers -------------------------------------------------------------------------------------

Answer = Callable[[Any, frozenset[FieldGroup]], dict[str, Any]]


def claim_answer(claim: CompensationClaim, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    data = schemas.CompensationClaim.of(claim).model_dump(mode="json")
    data["payments"] = [filter_fields(p, groups, "compensation_payment") for p in data["payments"]]
    return filter_fields(data, groups, "compensation_claim")


def _answer(schema: type[BaseModel], resource: str) -> Answer:
    """A record in `schema`'s shape without the fields of groups the caller does not see."""
    def answer(record: Any, groups: frozenset[FieldGroup]) -> dict[str, Any]:
        return filter_fields(schema.model_validate(record).model_dump(mode="json"), groups, resource)

    return answer


permit_answer = _answer(schemas.ResidencePermit, "residence_permit")
charge_answer = _answer(schemas.ChargeAgainstWitness, "charge_against_witness")
property_answer = _answer(schemas.PropertyItem, "property_item")


# ---- what the routes share: list, record, change -------------------------------------------------


def _list(witness_id: int, group: FieldGroup, rows_of: Callable[[int], Sequence[Any]], answer: Answer) -> Response:
    """A page of one kind of the witness's records; a read of identity data is audited, as on the pages."""
    witness, groups = _witness(witness_id, group)
    if group == IDENTITY:
        record_identity_view(current_user, witness, via="api:remedies", groups=groups & PROTECTED_GROUPS)
        db.session.commit()
    page, next_after = paged(rows_of(witness.id))
    return page_json([answer(r, groups) for r in page], next_after)


def _record(witness_id: int, group: FieldGroup, schema: type[Input], operation: Callable[..., Any],
            answer: Answer) -> tuple[Response, int]:
    """A new record of the witness from the body's fields."""
    witness, groups = _witness(witness_id, group)
    record = operation(current_user, witness, **body(schema).given())
    db.session.commit()
    return reply_json(answer(record, groups), 201)


def _change(model: type, object_id: int, group: FieldGroup, schema: type[Input], operation: Callable[..., Any],
            answer: Answer) -> Response:
    """A record moved on (an award, a decision, a return) from the body's fields."""
    record, _, groups = _owned(model, object_id, group)
    operation(current_user, record, **body(schema).given())
    db.session.commit()
    return reply_json(answer(record, groups))


# ---- routes --------------------------------------------------------------------------------------


@bp.get("/witnesses/<int:witness_id>/compensation-claims")
def list_claims_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    return _list(witness_id, MONEY, queries.claims_of, claim_answer)


@bp.post("/witnesses/<int:witness_id>/compensation-claims")
def open_claim_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    return _record(witness_id, MONEY, schemas.CompensationClaimInput, operations.open_claim, claim_answer)


@bp.post("/compensation-claims/<int:claim_id>/award")
def record_award_api(claim_id: int) -> Response:
    require(Permission.WITNESS_EDIT)
    return _change(CompensationClaim, claim_id, MONEY, schemas.AwardInput, operations.record_award, claim_answer)


@bp.post("/compensation-claims/<int:claim_id>/payments")
def record_payment_api(claim_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    claim, _, groups = _owned(CompensationClaim, claim_id, MONEY)
    operations.record_payment(current_user, claim, **body(schemas.PaymentInput).given())
    db.session.commit()
    db.session.refresh(claim)  # with its new payment
    return reply_json(claim_answer(claim, groups), 201)


@bp.get("/witnesses/<int:witness_id>/residence-permits")
def list_permits_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    return _list(witness_id, IDENTITY, queries.permits_of, permit_answer)


@bp.post("/witnesses/<int:witness_id>/residence-permits")
def record_permit_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    return _record(witness_id, IDENTITY, schemas.ResidencePermitInput, operations.record_permit, permit_answer)


@bp.get("/witnesses/<int:witness_id>/charges")
def list_charges_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    return _list(witness_id, IDENTITY, queries.charges_of, charge_answer)


@bp.post("/witnesses/<int:witness_id>/charges")
def record_charge_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    return _record(witness_id, IDENTITY, schemas.ChargeInput, operations.record_charge, charge_answer)


@bp.post("/charges/<int:charge_id>/decision")
def decide_charge_api(charge_id: int) -> Response:
    require(Permission.CASE_EDIT)
    return _change(ChargeAgainstWitness, charge_id, IDENTITY, schemas.ChargeDecisionInput, operations.decide_charge,
                   charge_answer)


@bp.get("/witnesses/<int:witness_id>/property")
def list_property_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    return _list(witness_id, IDENTITY, queries.property_of, property_answer)


@bp.post("/witnesses/<int:witness_id>/property")
def record_property_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_EDIT)
    return _record(witness_id, IDENTITY, schemas.PropertyItemInput, operations.record_property, property_answer)


@bp.post("/property/<int:item_id>/return")
def record_return_api(item_id: int) -> Response:
    require(Permission.WITNESS_EDIT)
    return _change(PropertyItem, item_id, IDENTITY, schemas.PropertyReturnInput, operations.record_property_return,
                   property_answer)


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
