"""API routes for services: the witness's information given, consents, referrals and service
plan (all in the `needs` field group), and the organisations directory; in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response
from flask_login import current_user
from pydantic import BaseModel

from ..access import can_view_witness, filter_fields, load_visible, visible_groups
from ..api import body, bp, paged, reply, reply_json, require
from ..api.openapi import PAGE_PARAMETERS, Op, add_paths, id_param
from ..api.schemas import page_of
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import FieldGroup, Permission
from ..witnesses.models import Witness
from . import operations, queries, schemas
from .models import Consent, Method, Organisation


def _witness(witness_id: int) -> Witness:
    witness = load_visible(current_user, Witness, witness_id, can_view_witness)
    if witness is None or FieldGroup.NEEDS not in visible_groups(current_user, witness):
        raise NotFound()
    return witness


def _out(obj: Any, schema: type[BaseModel], resource: str, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    """`obj` in its schema's shape, without the fields of groups the caller does not see."""
    return filter_fields(schema.model_validate(obj).model_dump(mode="json"), groups, resource)


def _instant(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({name: "Give a date and time as ISO 8601 with its offset."}) from None
    if parsed.tzinfo is None:
        raise ValidationFailed({name: "Give the time zone offset (e.g. 2026-05-01T09:00:00+00:00)."})
    return parsed


def _organisation(organisation_id: int | None, name: str = "organisation_id") -> Organisation | None:
    if organisation_id is None:
        return None
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise ValidationFailed({name: "No such organisation in the directory."})
    return organisation


@bp.get("/witnesses/<int:witness_id>/services")
def services_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness = _witness(witness_id)
    groups = visible_groups(current_user, witness)
    page = queries.services_page(witness.id)
    return reply_json({
        "information": [_out(e, schemas.InformationGiven, "information_given", groups) for e in page.information],
        "consents": [_out(c, schemas.Consent, "consent", groups) for c in page.consents],
        "referrals": [_out(r, schemas.Referral, "referral", groups) for r in page.referrals],
        "plan": [_out(n, schemas.ServiceNeed, "service_need", groups) for n in page.needs.values()],
    })




@bp.post("/witnesses/<int:witness_id>/information")
def record_information_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.SERVICES_RECORD)
    witness = _witness(witness_id)
    data = body(schemas.InformationInput)
    entry = operations.record_information(
        current_user, witness, topic=data.topic, method=data.method, language=data.language,
        interpreter=data.interpreter or "", given_at=_instant(data.given_at, "given_at"),
        questions=data.questions or "",
    )
    db.session.commit()
    return reply_json(_out(entry, schemas.InformationGiven, "information_given",
                           visible_groups(current_user, witness)), 201)




@bp.post("/witnesses/<int:witness_id>/consents")
def record_consent_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.SERVICES_RECORD)
    witness = _witness(witness_id)
    data = body(schemas.ConsentInput)
    if not all(isinstance(g, str) for g in data.scope or []):
        raise ValidationFailed({"scope": "Give field group names."})
    consent = operations.record_consent(
        current_user, witness, purpose=data.purpose, organisation=_organisation(data.organisation_id),
        service=data.service, detail=data.detail or "", scope=data.scope or [],
        given_at=_instant(data.given_at, "given_at"), given_how=data.given_how or Method.ORAL,
        guardian_involvement=data.guardian_involvement or "", child_view=data.child_view or "",
    )
    db.session.commit()
    return reply_json(_out(consent, schemas.Consent, "consent", visible_groups(current_user, witness)), 201)


@bp.post("/consents/<int:consent_id>/withdraw")
def withdraw_consent_api(consent_id: int) -> Response:
    require(Permission.SERVICES_RECORD)
    consent = db.session.get(Consent, consent_id)
    if consent is None:
        raise NotFound()
    witness = _witness(consent.witness_id)
    data = body(schemas.WithdrawInput)
    operations.withdraw_consent(current_user, consent, note=data.note or "")
    db.session.commit()
    return reply_json(_out(consent, schemas.Consent, "consent", visible_groups(current_user, witness)))




@bp.post("/witnesses/<int:witness_id>/referrals")
def create_referral_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.SERVICES_RECORD)
    witness = _witness(witness_id)
    data = body(schemas.ReferralInput)
    if not all(isinstance(g, str) for g in data.field_groups or []):
        raise ValidationFailed({"field_groups": "Give field group names."})
    consent = db.session.get(Consent, data.consent_id)
    referral = operations.create_referral(
        current_user, witness, organisation=_organisation(data.organisation_id), service=data.service,
        consent=consent if consent is not None and consent.witness_id == witness.id else None,
        field_groups=data.field_groups or [], no_terms_reason=data.no_terms_reason or "",
        note=data.note or "", send=data.send is not False,
    )
    from ..mail import commit_and_send  # noqa: PLC0415 - the one route that sends mail after its commit

    commit_and_send()
    return reply_json(_out(referral, schemas.Referral, "referral", visible_groups(current_user, witness)), 201)


@bp.get("/organisations")
def organisations_api() -> Response:
    require(Permission.ORGANISATION_MANAGE)
    page, next_after = paged(queries.directory())
    return reply(page_of(schemas.Organisation)(items=[schemas.Organisation.model_validate(o) for o in page],
                                               next_after=next_after))


add_paths({
    "/witnesses/{witness_id}/services": {
        "parameters": [id_param("witness_id")],
        "get": Op("Information given, consents, referrals and service plan (needs field group)",
                  {"200": schemas.WitnessServices}),
    },
    "/witnesses/{witness_id}/information": {
        "parameters": [id_param("witness_id")],
        "post": Op("Record information given to the witness",
                   {"201": schemas.InformationGiven}, schemas.InformationInput),
    },
    "/witnesses/{witness_id}/consents": {
        "parameters": [id_param("witness_id")],
        "post": Op("Record a consent (a child's needs the guardian's involvement and the child's view)",
                   {"201": schemas.Consent}, schemas.ConsentInput),
    },
    "/consents/{consent_id}/withdraw": {
        "parameters": [id_param("consent_id")],
        "post": Op("Withdraw a consent: pending referrals stop, sent ones raise a task",
                   {"200": schemas.Consent}, schemas.WithdrawInput),
    },
    "/witnesses/{witness_id}/referrals": {
        "parameters": [id_param("witness_id")],
        "post": Op("Refer under a covering consent; sends the letter (reference plus consented groups)",
                   {"201": schemas.Referral}, schemas.ReferralInput),
    },
    "/organisations": {
        "get": Op("The organisations directory", {"200": page_of(schemas.Organisation)}, parameters=PAGE_PARAMETERS),
    },
})
