"""API routes for services: the witness's information given, consents, referrals and service
plan (all in the `needs` field group), and the organisations directory; in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response
from flask_login import current_user
from pydantic import BaseModel

from ..access import can_view_witness, filter_fields, load_visible, visible_groups
from ..api import body, bp, page_json, paged, reply, reply_json, require
from ..api.openapi import PAGE_PARAMETERS, Op, add_paths, id_param
from ..api.schemas import page_of
from ..cases.models import Journey
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..mail import commit_and_send
from ..permissions import FieldGroup, Permission
from ..witnesses.models import Witness
from . import operations, queries, schemas
from .models import SERVICES, Consent, Method, Organisation, Referral


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
        "reviews": [_out(r, schemas.SustainabilityReview, "sustainability_review", groups) for r in page.reviews],
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
    commit_and_send()
    return reply_json(_out(referral, schemas.Referral, "referral", visible_groups(current_user, witness)), 201)


def _referral(referral_id: int) -> tuple[Referral, Witness]:
    referral = db.session.get(Referral, referral_id)
    if referral is None:
        raise NotFound()
    return referral, _witness(referral.witness_id)


@bp.get("/referrals/<int:referral_id>")
def referral_api(referral_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    referral, witness = _referral(referral_id)
    return reply_json(_out(referral, schemas.Referral, "referral", visible_groups(current_user, witness)))


@bp.post("/referrals/<int:referral_id>/send")
def send_referral_api(referral_id: int) -> Response:
    require(Permission.SERVICES_RECORD)
    referral, witness = _referral(referral_id)
    operations.send_referral(current_user, referral)
    commit_and_send()
    return reply_json(_out(referral, schemas.Referral, "referral", visible_groups(current_user, witness)))


@bp.post("/referrals/<int:referral_id>/status")
def referral_status_api(referral_id: int) -> Response:
    require(Permission.SERVICES_RECORD)
    referral, witness = _referral(referral_id)
    data = body(schemas.ReferralStatusInput)
    operations.update_referral(current_user, referral, status=data.status, reason=data.reason or "",
                               feedback=data.feedback or "")
    db.session.commit()
    return reply_json(_out(referral, schemas.Referral, "referral", visible_groups(current_user, witness)))


@bp.get("/witnesses/<int:witness_id>/plan")
def plan_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness = _witness(witness_id)
    groups = visible_groups(current_user, witness)
    needs, next_after = paged(list(queries.services_page(witness.id).needs.values()))
    return page_json([_out(n, schemas.ServiceNeed, "service_need", groups) for n in needs], next_after)


@bp.put("/witnesses/<int:witness_id>/plan/<service>")
def save_need_api(witness_id: int, service: str) -> Response:
    require(Permission.SERVICES_RECORD)
    witness = _witness(witness_id)
    if service not in SERVICES:
        raise NotFound()
    data = body(schemas.NeedInput)
    need = operations.save_need(current_user, witness, service=service, status=data.status, goal=data.goal or "",
                                organisation=_organisation(data.organisation_id), review_on=data.review_on)
    db.session.commit()
    return reply_json(_out(need, schemas.ServiceNeed, "service_need", visible_groups(current_user, witness)))


def _journey(journey_id: int) -> tuple[Journey, Witness]:
    journey = db.session.get(Journey, journey_id)
    if journey is None:
        raise NotFound()
    return journey, _witness(journey.witness_id)


@bp.get("/journeys/<int:journey_id>/sustainability-reviews")
def reviews_api(journey_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    journey, witness = _journey(journey_id)
    groups = visible_groups(current_user, witness)
    reviews, next_after = paged(queries.journey_reviews(journey.id))
    return page_json([_out(r, schemas.SustainabilityReview, "sustainability_review", groups) for r in reviews],
                     next_after)


@bp.post("/journeys/<int:journey_id>/sustainability-reviews")
def record_review_api(journey_id: int) -> tuple[Response, int]:
    require(Permission.SERVICES_RECORD)
    journey, witness = _journey(journey_id)
    data = body(schemas.ReviewInput)
    review = operations.record_review(current_user, journey, continues_after=data.continues_after)
    db.session.commit()
    return reply_json(_out(review, schemas.SustainabilityReview, "sustainability_review",
                           visible_groups(current_user, witness)), 201)


@bp.get("/organisations")
def organisations_api() -> Response:
    require(Permission.ORGANISATION_MANAGE)
    page, next_after = paged(queries.directory())
    return reply(page_of(schemas.Organisation)(items=[schemas.Organisation.model_validate(o) for o in page],
                                               next_after=next_after))


def _organisation_or_404(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound()
    return organisation


def _save_organisation(organisation: Organisation | None) -> Organisation:
    data = body(schemas.OrganisationInput)
    return operations.save_organisation(
        current_user, organisation, name=data.name, kind=data.kind, services=list(data.services or []),
        areas=data.areas or "", country_code=data.country_code or "", email=data.email or "",
        safe_contact_route=data.safe_contact_route or "", confidentiality_agreed_on=data.confidentiality_agreed_on,
        confidentiality_document=data.confidentiality_document or "",
    )


@bp.post("/organisations")
def create_organisation_api() -> tuple[Response, int]:
    require(Permission.ORGANISATION_MANAGE)
    organisation = _save_organisation(None)
    db.session.commit()
    return reply(schemas.Organisation.model_validate(organisation), 201)


@bp.get("/organisations/<int:organisation_id>")
def organisation_api(organisation_id: int) -> Response:
    require(Permission.ORGANISATION_MANAGE)
    return reply(schemas.Organisation.model_validate(_organisation_or_404(organisation_id)))


@bp.put("/organisations/<int:organisation_id>")
def update_organisation_api(organisation_id: int) -> Response:
    require(Permission.ORGANISATION_MANAGE)
    organisation = _save_organisation(_organisation_or_404(organisation_id))
    db.session.commit()
    return reply(schemas.Organisation.model_validate(organisation))


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
    "/referrals/{referral_id}": {
        "parameters": [id_param("referral_id")],
        "get": Op("A referral (needs field group)", {"200": schemas.Referral}),
    },
    "/referrals/{referral_id}/send": {
        "parameters": [id_param("referral_id")],
        "post": Op("Send a pending referral: its letter by email, and the date its answer is due",
                   {"200": schemas.Referral}),
    },
    "/referrals/{referral_id}/status": {
        "parameters": [id_param("referral_id")],
        "post": Op("Record the organisation's answer or progress: accepted, declined (with the reason), in progress, "
                   "completed, and the feedback received", {"200": schemas.Referral}, schemas.ReferralStatusInput),
    },
    "/witnesses/{witness_id}/plan": {
        "parameters": [id_param("witness_id")],
        "get": Op("The witness's service plan: one need per Table 1 service assessed",
                  {"200": page_of(schemas.ServiceNeed)}, parameters=PAGE_PARAMETERS),
    },
    "/witnesses/{witness_id}/plan/{service}": {
        "parameters": [id_param("witness_id"), {"name": "service", "in": "path", "required": True,
                                                "schema": {"type": "string", "enum": sorted(SERVICES)}}],
        "put": Op("Set where a service stands in the plan: status, goal, responsible organisation, review date",
                  {"200": schemas.ServiceNeed}, schemas.NeedInput),
    },
    "/journeys/{journey_id}/sustainability-reviews": {
        "parameters": [id_param("journey_id")],
        "get": Op("The journey's sustainable-protection reviews, latest first",
                  {"200": page_of(schemas.SustainabilityReview)}, parameters=PAGE_PARAMETERS),
        "post": Op("Record the sustainable-protection review (what continues after the case); a journey closes "
                   "only after one", {"201": schemas.SustainabilityReview}, schemas.ReviewInput),
    },
    "/organisations": {
        "get": Op("The organisations directory", {"200": page_of(schemas.Organisation)}, parameters=PAGE_PARAMETERS),
        "post": Op("Add an organisation to the directory (admins and officers)", {"201": schemas.Organisation},
                   schemas.OrganisationInput),
    },
    "/organisations/{organisation_id}": {
        "parameters": [id_param("organisation_id")],
        "get": Op("An organisation of the directory", {"200": schemas.Organisation}),
        "put": Op("Change an organisation (every field; admins and officers)", {"200": schemas.Organisation},
                  schemas.OrganisationInput),
    },
})
