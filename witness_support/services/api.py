"""API routes for services: the witness's information given, consents, referrals and service
plan (all in the `needs` field group), and the organisations directory; in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, jsonify
from flask_login import current_user

from ..access import can_view_witness, filter_fields, load_visible, visible_groups
from ..api import Field, bp, json_body, openapi, parse, require
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import FieldGroup, Permission
from ..witnesses.models import Witness
from . import operations, queries
from .models import SERVICES, Consent, Method, NeedStatus, Organisation, OrganisationKind, Purpose, Topic, as_dict

INFO = ("id", "witness_id", "topic", "method", "language", "interpreter", "given_by_id", "given_at", "questions")
CONSENT = ("id", "witness_id", "purpose", "organisation_id", "service", "detail", "scope", "given_at", "given_how",
           "given_to_id", "guardian_involvement", "child_view", "withdrawn_at", "withdrawal_note", "active")
REFERRAL = ("id", "witness_id", "organisation_id", "consent_id", "service", "field_groups", "status",
            "no_terms_reason", "note", "decline_reason", "feedback", "sent_at", "respond_by", "answered_at",
            "stopped_at", "created_by_id")
NEED = ("id", "witness_id", "service", "area", "status", "goal", "organisation_id", "review_on")
ORGANISATION = ("id", "name", "kind", "services", "areas", "country", "email", "safe_contact_route",
                "confidentiality_agreed_on", "confidentiality_document")


def _witness(witness_id: int) -> Witness:
    witness = load_visible(current_user, Witness, witness_id, can_view_witness)
    if witness is None or FieldGroup.NEEDS not in visible_groups(current_user, witness):
        raise NotFound()
    return witness


def _out(obj: Any, names: tuple[str, ...], resource: str, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    return filter_fields(as_dict(obj, names), groups, resource)


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
    return jsonify({
        "information": [_out(e, INFO, "information_given", groups) for e in page.information],
        "consents": [_out(c, CONSENT, "consent", groups) for c in page.consents],
        "referrals": [_out(r, REFERRAL, "referral", groups) for r in page.referrals],
        "plan": [_out(n, NEED, "service_need", groups) for n in page.needs.values()],
    })


INFO_FIELDS = {
    "topic": Field(str, required=True, nullable=False, choices=set(Topic)),
    "method": Field(str, required=True, nullable=False, choices=set(Method)),
    "language": Field(str, required=True, nullable=False, max_length=35),
    "interpreter": Field(str, max_length=200),
    "given_at": Field(str, max_length=40),
    "questions": Field(str, max_length=5000),
}


@bp.post("/witnesses/<int:witness_id>/information")
def record_information_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.SERVICES_RECORD)
    witness = _witness(witness_id)
    data = parse(json_body(), INFO_FIELDS)
    data["given_at"] = _instant(data.get("given_at"), "given_at")
    entry = operations.record_information(current_user, witness, **{k: v or "" if k in ("interpreter", "questions")
                                                                     else v for k, v in data.items()})
    db.session.commit()
    return jsonify(_out(entry, INFO, "information_given", visible_groups(current_user, witness))), 201


CONSENT_FIELDS = {
    "purpose": Field(str, required=True, nullable=False, choices=set(Purpose)),
    "organisation_id": Field(int),
    "service": Field(str, choices=set(SERVICES)),
    "detail": Field(str, max_length=300),
    "scope": Field(list),
    "given_at": Field(str, max_length=40),
    "given_how": Field(str, nullable=False, choices=set(Method)),
    "guardian_involvement": Field(str, max_length=2000),
    "child_view": Field(str, max_length=2000),
}


@bp.post("/witnesses/<int:witness_id>/consents")
def record_consent_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.SERVICES_RECORD)
    witness = _witness(witness_id)
    data = parse(json_body(), CONSENT_FIELDS)
    if not all(isinstance(g, str) for g in data.get("scope") or []):
        raise ValidationFailed({"scope": "Give field group names."})
    consent = operations.record_consent(
        current_user, witness, purpose=data["purpose"], organisation=_organisation(data.get("organisation_id")),
        service=data.get("service"), detail=data.get("detail") or "", scope=data.get("scope") or [],
        given_at=_instant(data.get("given_at"), "given_at"), given_how=data.get("given_how") or Method.ORAL,
        guardian_involvement=data.get("guardian_involvement") or "", child_view=data.get("child_view") or "",
    )
    db.session.commit()
    return jsonify(_out(consent, CONSENT, "consent", visible_groups(current_user, witness))), 201


@bp.post("/consents/<int:consent_id>/withdraw")
def withdraw_consent_api(consent_id: int) -> Response:
    require(Permission.SERVICES_RECORD)
    consent = db.session.get(Consent, consent_id)
    if consent is None:
        raise NotFound()
    witness = _witness(consent.witness_id)
    data = parse(json_body(), {"note": Field(str, max_length=2000)})
    operations.withdraw_consent(current_user, consent, note=data.get("note") or "")
    db.session.commit()
    return jsonify(_out(consent, CONSENT, "consent", visible_groups(current_user, witness)))


REFERRAL_FIELDS = {
    "organisation_id": Field(int, required=True, nullable=False),
    "service": Field(str, required=True, nullable=False, choices=set(SERVICES)),
    "consent_id": Field(int, required=True, nullable=False),
    "field_groups": Field(list),
    "no_terms_reason": Field(str, max_length=2000),
    "note": Field(str, max_length=2000),
    "send": Field(bool),
}


@bp.post("/witnesses/<int:witness_id>/referrals")
def create_referral_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.SERVICES_RECORD)
    witness = _witness(witness_id)
    data = parse(json_body(), REFERRAL_FIELDS)
    if not all(isinstance(g, str) for g in data.get("field_groups") or []):
        raise ValidationFailed({"field_groups": "Give field group names."})
    consent = db.session.get(Consent, data["consent_id"])
    referral = operations.create_referral(
        current_user, witness, organisation=_organisation(data["organisation_id"]), service=data["service"],
        consent=consent if consent is not None and consent.witness_id == witness.id else None,
        field_groups=data.get("field_groups") or [], no_terms_reason=data.get("no_terms_reason") or "",
        note=data.get("note") or "", send=data.get("send") is not False,
    )
    from ..mail import commit_and_send  # noqa: PLC0415 - the one route that sends mail after its commit

    commit_and_send()
    return jsonify(_out(referral, REFERRAL, "referral", visible_groups(current_user, witness))), 201


@bp.get("/organisations")
def organisations_api() -> Response:
    require(Permission.ORGANISATION_MANAGE)
    return jsonify({"items": [as_dict(o, ORGANISATION) for o in queries.directory()]})


_DT = {"type": ["string", "null"], "format": "date-time"}
_TEXT = {"type": ["string", "null"]}
_GROUPS = {"type": "array", "items": {"enum": sorted(str(g) for g in FieldGroup)}}


def _object(resource: str, properties: dict[str, Any]) -> dict[str, Any]:
    from ..access import document_groups  # noqa: PLC0415 - core helper, kept beside its only use

    return document_groups({"type": "object", "required": ["id", "witness_id"],
                            "properties": {"id": {"type": "integer"}, "witness_id": {"type": "integer"},
                                           **properties}}, resource)


openapi.add_schemas({
    "InformationGiven": _object("information_given", {
        "topic": {"enum": sorted(Topic)}, "method": {"enum": sorted(Method)}, "language": {"type": "string"},
        "interpreter": {"type": "string"}, "given_by_id": {"type": ["integer", "null"]},
        "given_at": {"type": "string", "format": "date-time"}, "questions": {"type": "string"}}),
    "Consent": _object("consent", {
        "purpose": {"enum": sorted(Purpose)}, "organisation_id": {"type": ["integer", "null"]},
        "service": {"enum": [*sorted(SERVICES), None]}, "detail": {"type": "string"}, "scope": _GROUPS,
        "given_at": {"type": "string", "format": "date-time"}, "given_how": {"enum": sorted(Method)},
        "given_to_id": {"type": ["integer", "null"]}, "guardian_involvement": {"type": "string"},
        "child_view": {"type": "string"}, "withdrawn_at": _DT, "withdrawal_note": {"type": "string"},
        "active": {"type": "boolean"}}),
    "Referral": _object("referral", {
        "organisation_id": {"type": "integer"}, "consent_id": {"type": "integer"},
        "service": {"enum": sorted(SERVICES)}, "field_groups": _GROUPS,
        "status": {"enum": ["pending", "sent", "accepted", "declined", "in_progress", "completed", "stopped"]},
        "no_terms_reason": {"type": "string"}, "note": {"type": "string"}, "decline_reason": {"type": "string"},
        "feedback": {"type": "string"}, "sent_at": _DT, "respond_by": _DT, "answered_at": _DT, "stopped_at": _DT,
        "created_by_id": {"type": ["integer", "null"]}}),
    "ServiceNeed": _object("service_need", {
        "service": {"enum": sorted(SERVICES)}, "area": {"type": "string"}, "status": {"enum": sorted(NeedStatus)},
        "goal": {"type": "string"}, "organisation_id": {"type": ["integer", "null"]},
        "review_on": {"type": ["string", "null"], "format": "date"}}),
    "WitnessServices": {"type": "object", "required": ["information", "consents", "referrals", "plan"],
                        "properties": {name: {"type": "array", "items": openapi.ref(schema)} for name, schema in (
                            ("information", "InformationGiven"), ("consents", "Consent"),
                            ("referrals", "Referral"), ("plan", "ServiceNeed"))}},
    "Organisation": {"type": "object", "required": ["id", "name", "kind", "services"], "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "kind": {"enum": sorted(OrganisationKind)},
        "services": {"type": "array", "items": {"enum": sorted(SERVICES)}}, "areas": {"type": "string"},
        "country": {"type": "string"}, "email": {"type": "string"}, "safe_contact_route": {"type": "string"},
        "confidentiality_agreed_on": {"type": ["string", "null"], "format": "date"},
        "confidentiality_document": {"type": "string"}}},
    "InformationInput": {"type": "object", "additionalProperties": False,
                         "required": ["topic", "method", "language"], "properties": {
                             "topic": {"enum": sorted(Topic)}, "method": {"enum": sorted(Method)},
                             "language": {"type": "string", "maxLength": 35}, "interpreter": _TEXT,
                             "given_at": _DT, "questions": _TEXT}},
    "ConsentInput": {"type": "object", "additionalProperties": False, "required": ["purpose"], "properties": {
        "purpose": {"enum": sorted(Purpose)}, "organisation_id": {"type": ["integer", "null"]},
        "service": {"enum": [*sorted(SERVICES), None]}, "detail": _TEXT, "scope": _GROUPS, "given_at": _DT,
        "given_how": {"enum": sorted(Method)}, "guardian_involvement": _TEXT, "child_view": _TEXT}},
    "WithdrawInput": {"type": "object", "additionalProperties": False, "properties": {"note": _TEXT}},
    "ReferralInput": {"type": "object", "additionalProperties": False,
                      "required": ["organisation_id", "service", "consent_id"], "properties": {
                          "organisation_id": {"type": "integer"}, "service": {"enum": sorted(SERVICES)},
                          "consent_id": {"type": "integer"}, "field_groups": _GROUPS, "no_terms_reason": _TEXT,
                          "note": _TEXT, "send": {"type": "boolean"}}},
})
openapi.add_paths({
    "/witnesses/{witness_id}/services": {
        "parameters": [openapi.id_param("witness_id")],
        "get": openapi.op("Information given, consents, referrals and service plan (needs field group)",
                          {"200": openapi.ok(openapi.ref("WitnessServices"))}),
    },
    "/witnesses/{witness_id}/information": {
        "parameters": [openapi.id_param("witness_id")],
        "post": openapi.op("Record information given to the witness",
                           {"201": openapi.ok(openapi.ref("InformationGiven"), "Created")}, "InformationInput"),
    },
    "/witnesses/{witness_id}/consents": {
        "parameters": [openapi.id_param("witness_id")],
        "post": openapi.op("Record a consent (a child's needs the guardian's involvement and the child's view)",
                           {"201": openapi.ok(openapi.ref("Consent"), "Created")}, "ConsentInput"),
    },
    "/consents/{consent_id}/withdraw": {
        "parameters": [openapi.id_param("consent_id")],
        "post": openapi.op("Withdraw a consent: pending referrals stop, sent ones raise a task",
                           {"200": openapi.ok(openapi.ref("Consent"))}, "WithdrawInput"),
    },
    "/witnesses/{witness_id}/referrals": {
        "parameters": [openapi.id_param("witness_id")],
        "post": openapi.op("Refer under a covering consent; sends the letter (reference plus consented groups)",
                           {"201": openapi.ok(openapi.ref("Referral"), "Created")}, "ReferralInput"),
    },
    "/organisations": {
        "get": openapi.op("The organisations directory", {"200": openapi.ok(openapi.items_of("Organisation"))}),
    },
})
