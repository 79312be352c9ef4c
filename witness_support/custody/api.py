"""API routes for custody: each defendant of a case with its custody history, a new custody entry,
and a witness's enrolment for offender notices after the case.

Registered on the shared API blueprint (its token auth, error format and OpenAPI document). A case
or witness the caller may not see is a 404; fields follow the field groups (permissions.FIELD_GROUPS):
custody entries are court logistics, a bail condition naming a place needs the location group of the
witness it concerns (an unnamed one: of every witness of the case).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Response, jsonify
from flask_login import current_user

from ..access import (
    can_edit_case,
    case_groups,
    document_groups,
    filter_fields,
    load_visible,
    visible_groups,
)
from ..api import Field, bp, iso, json_body, parse, require
from ..api import openapi as oa
from ..api.cases import load_case
from ..api.witnesses import load_witness
from ..cases.models import Case, Defendant, Journey
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import FieldGroup, Permission
from ..witnesses.models import Witness
from . import operations, queries
from .models import ConditionKind, CustodyEvent, EventKind

RECORD_FIELDS = {
    "kind": Field(str, required=True, nullable=False, choices=set(EventKind)),
    "occurred_at": Field(str, required=True, nullable=False, max_length=40),
    "learned_at": Field(str, max_length=40),
    "source": Field(str, required=True, nullable=False, max_length=200),
    "note": Field(str, max_length=2000),
    "release_date": Field(date),
    "hearing_on": Field(date),
    "corrects_id": Field(int),
    "conditions": Field(list),
}
ENROLMENT_FIELDS = {
    "enrolled": Field(bool, required=True, nullable=False),
    "reason": Field(str, max_length=2000),
}


def _moment(name: str, value: str | None, case: Case) -> datetime | None:
    """An ISO 8601 time; without an offset, in the court's time zone."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({name: "Give a time as YYYY-MM-DDTHH:MM, with an offset or in court time."}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(case.court_timezone))


def condition_json(condition: Any) -> dict[str, Any]:
    data = {"id": condition.id, "kind": condition.kind, "witness_id": condition.witness_id, "text": condition.text}
    return filter_fields(data, queries.condition_groups(current_user, condition), "bail_condition")


def event_json(event: CustodyEvent, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    conditions = [condition_json(c) for c in queries.visible_conditions(current_user, list(event.conditions))]
    return filter_fields({
        "id": event.id, "defendant_id": event.defendant_id, "case_id": event.case_id, "kind": event.kind,
        "words": event.words, "occurred_at": iso(event.occurred_at), "learned_at": iso(event.learned_at),
        "source": event.source, "note": event.note, "release_date": iso(event.release_date),
        "hearing_on": iso(event.hearing_on), "corrects_id": event.corrects_id, "entered_by_id": event.entered_by_id,
        "entered_at": iso(event.entered_at), "conditions": conditions,
    }, groups, "custody_event")


def defendant_json(custody: queries.DefendantCustody, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    defendant = custody.defendant
    return filter_fields({
        "id": defendant.id, "case_id": defendant.case_id, "name": defendant.name,
        "custody_status": defendant.custody_status, "events": [event_json(e, groups) for e in custody.events],
    }, groups, "defendant")


def _load_defendant(defendant_id: int) -> Defendant:
    defendant = db.session.get(Defendant, defendant_id)
    if defendant is None:
        raise NotFound()
    load_case(defendant.case_id)  # the case hidden: the same 404
    return defendant


@bp.get("/cases/<int:case_id>/defendants")
def list_defendants_api(case_id: int) -> Response:
    require(Permission.CASE_VIEW)
    case = load_case(case_id)
    groups = case_groups(current_user, case.id)
    return jsonify({"items": [defendant_json(c, groups) for c in queries.case_custody(case.id)]})


@bp.get("/defendants/<int:defendant_id>/custody")
def list_custody_api(defendant_id: int) -> Response:
    require(Permission.CASE_VIEW)
    defendant = _load_defendant(defendant_id)
    groups = case_groups(current_user, defendant.case_id)
    return jsonify({"items": [event_json(e, groups) for e in queries.history(defendant.id)]})


@bp.post("/defendants/<int:defendant_id>/custody")
def record_custody_api(defendant_id: int) -> tuple[Response, int]:
    require(Permission.CASE_EDIT)
    defendant = db.session.get(Defendant, defendant_id)
    case = load_visible(current_user, Case, defendant.case_id, can_edit_case) if defendant else None
    if case is None:
        raise NotFound()
    data = parse(json_body(), RECORD_FIELDS)
    data["occurred_at"] = _moment("occurred_at", data["occurred_at"], case)
    data["learned_at"] = _moment("learned_at", data.get("learned_at"), case)
    event = operations.record_custody_event(current_user, defendant, **data)
    db.session.commit()
    return jsonify(event_json(event, case_groups(current_user, case.id))), 201


# ---- enrolment for offender notices after the case --------------------------------------------------


def enrolment_json(witness: Witness, journey: Journey) -> dict[str, Any]:
    row = queries.enrolment(witness.id, journey.case_id)
    return filter_fields({
        "witness_id": witness.id, "case_id": journey.case_id,
        "enrolled": row.enrolled if row is not None else True,  # no row: enrolled, the default
        "changed_at": iso(row.changed_at) if row is not None else None,
        "reason": row.reason if row is not None else "",
    }, visible_groups(current_user, witness), "enrolment")


def _journeys(witness: Witness) -> list[Journey]:
    return list(db.session.execute(
        sa.select(Journey).where(Journey.witness_id == witness.id).order_by(Journey.case_id)).scalars())


@bp.get("/witnesses/<int:witness_id>/enrolments")
def list_enrolments_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness = load_witness(witness_id)
    return jsonify({"items": [enrolment_json(witness, j) for j in _journeys(witness)]})


@bp.put("/witnesses/<int:witness_id>/enrolments/<int:case_id>")
def set_enrolment_api(witness_id: int, case_id: int) -> Response:
    require(Permission.NOTIFICATION_MANAGE)
    witness = load_witness(witness_id)
    journey = next((j for j in _journeys(witness) if j.case_id == case_id), None)
    if journey is None:
        raise NotFound()
    data = parse(json_body(), ENROLMENT_FIELDS)
    operations.set_enrolment(current_user, witness, journey.case, enrolled=data["enrolled"],
                             reason=data.get("reason") or "")
    db.session.commit()
    return jsonify(enrolment_json(witness, journey))


# ---- the OpenAPI document ------------------------------------------------------------------------------

def document_groups_of(resource: str, schema: dict[str, Any]) -> dict[str, Any]:
    return document_groups(schema, resource)


_DATE = {"type": ["string", "null"], "format": "date"}
_TIME = {"type": "string", "format": "date-time"}
oa.add_schemas({
    "BailCondition": document_groups_of("bail_condition", {
        "type": "object",
        "required": ["id", "kind"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"enum": sorted(ConditionKind)},
            "witness_id": {"type": ["integer", "null"], "description": "No contact: the witness named."},
            "text": {"type": "string", "description": "Exclusion zone and residence need the location group."},
        },
    }),
    "CustodyEvent": document_groups_of("custody_event", {
        "type": "object",
        "required": ["id", "defendant_id", "case_id", "kind", "occurred_at", "conditions"],
        "properties": {
            "id": {"type": "integer"},
            "defendant_id": {"type": "integer"},
            "case_id": {"type": "integer"},
            "kind": {"enum": sorted(EventKind)},
            "words": {"type": "string"},
            "occurred_at": _TIME,
            "learned_at": _TIME,
            "source": {"type": "string"},
            "note": {"type": "string"},
            "release_date": _DATE,
            "hearing_on": _DATE,
            "corrects_id": {"type": ["integer", "null"]},
            "entered_by_id": {"type": ["integer", "null"]},
            "entered_at": _TIME,
            "conditions": {"type": "array", "items": oa.ref("BailCondition"),
                           "description": "Only the conditions the caller may read."},
        },
    }),
    "DefendantCustody": document_groups_of("defendant", {
        "type": "object",
        "required": ["id", "case_id", "name", "custody_status", "events"],
        "properties": {
            "id": {"type": "integer"},
            "case_id": {"type": "integer"},
            "name": {"type": "string"},
            "custody_status": {"type": "string"},
            "events": {"type": "array", "items": oa.ref("CustodyEvent"), "description": "Most recent first."},
        },
    }),
    "CustodyEventInput": {
        "type": "object",
        "required": ["kind", "occurred_at", "source"],
        "additionalProperties": False,
        "properties": {
            "kind": {"enum": sorted(EventKind)},
            "occurred_at": {"type": "string", "description": "ISO 8601; without an offset, in court time."},
            "learned_at": {"type": ["string", "null"], "description": "As occurred_at; empty: now."},
            "source": {"type": "string", "maxLength": 200},
            "note": {"type": ["string", "null"], "maxLength": 2000},
            "release_date": _DATE,
            "hearing_on": _DATE,
            "corrects_id": {"type": ["integer", "null"]},
            "conditions": {
                "type": ["array", "null"],
                "description": "Bail decisions only.",
                "items": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {"kind": {"enum": sorted(ConditionKind)}, "witness_id": {"type": ["integer", "null"]},
                                   "text": {"type": ["string", "null"], "maxLength": 500}},
                },
            },
        },
    },
    "Enrolment": document_groups_of("enrolment", {
        "type": "object",
        "required": ["witness_id", "case_id", "enrolled"],
        "properties": {
            "witness_id": {"type": "integer"},
            "case_id": {"type": "integer"},
            "enrolled": {"type": "boolean", "description": "Offender notices after the journey closed (default)."},
            "changed_at": {"type": ["string", "null"], "format": "date-time"},
            "reason": {"type": "string"},
        },
    }),
    "EnrolmentInput": {
        "type": "object",
        "required": ["enrolled"],
        "additionalProperties": False,
        "properties": {"enrolled": {"type": "boolean"}, "reason": {"type": ["string", "null"], "maxLength": 2000}},
    },
})
oa.add_paths({
    "/cases/{case_id}/defendants": {
        "parameters": [oa.id_param("case_id")],
        "get": oa.op("Each defendant of the case with its custody history",
                     {"200": oa.ok(oa.items_of("DefendantCustody"))}),
    },
    "/defendants/{defendant_id}/custody": {
        "parameters": [oa.id_param("defendant_id")],
        "get": oa.op("The defendant's custody history, most recent first", {"200": oa.ok(oa.items_of("CustodyEvent"))}),
        "post": oa.op(
            "Record a custody change (never an edit: a correction names the wrong entry); tells the case's witnesses",
            {"201": oa.ok(oa.ref("CustodyEvent"), "Created")}, "CustodyEventInput",
        ),
    },
    "/witnesses/{witness_id}/enrolments": {
        "parameters": [oa.id_param("witness_id")],
        "get": oa.op("Per case of the witness: enrolled for offender notices after the case?",
                     {"200": oa.ok(oa.items_of("Enrolment"))}),
    },
    "/witnesses/{witness_id}/enrolments/{case_id}": {
        "parameters": [oa.id_param("witness_id"), oa.id_param("case_id")],
        "put": oa.op("Record the witness's choice; an opt-out cancels queued notices at once",
                     {"200": oa.ok(oa.ref("Enrolment"))}, "EnrolmentInput"),
    },
})
