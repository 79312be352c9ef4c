"""API routes for custody: each defendant of a case with its custody history, a new custody entry,
and a witness's enrolment for offender notices after the case.

Registered on the shared API blueprint (its token auth, error format and OpenAPI document). A case
or witness the caller may not see is a 404; fields follow the field groups (permissions.FIELD_GROUPS):
custody entries are court logistics, a bail condition naming a place needs the location group of the
witness it concerns (an unnamed one: of every witness of the case).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Response
from flask_login import current_user

from ..access import can_edit_case, case_groups, filter_fields, load_visible, visible_groups
from ..api import body, bp, page_json, paged, reply_json, require
from ..api.openapi import PAGE_PARAMETERS, Op, add_paths, id_param
from ..api.schemas import page_of
from ..cases.models import Case, Defendant, Journey
from ..cases.queries import load_case
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import FieldGroup, Permission
from ..witnesses.models import Witness
from ..witnesses.queries import load_witness
from . import operations, queries, schemas
from .models import CustodyEvent


def _moment(name: str, value: str | None, case: Case) -> datetime | None:
    """An ISO 8601 time; without an offset, in the court's time zone."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({name: "Give a time as YYYY-MM-DDTHH:MM, with an offset or in court time."}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(case.court_timezone))


def condition_answer(condition: Any) -> dict[str, Any]:
    data = schemas.BailCondition.model_validate(condition).model_dump(mode="json")
    return filter_fields(data, queries.condition_groups(current_user, condition), "bail_condition")


def event_answer(event: CustodyEvent, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    """The entry in its schema's shape: its fields by the case's groups, each condition by its own."""
    data = schemas.CustodyEvent.model_validate(event).model_dump(mode="json", exclude={"conditions"})
    data["conditions"] = [condition_answer(c)
                          for c in queries.visible_conditions(current_user, list(event.conditions))]
    return filter_fields(data, groups, "custody_event")


def defendant_answer(custody: queries.DefendantCustody, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    defendant = custody.defendant
    data = schemas.DefendantCustody(id=defendant.id, case_id=defendant.case_id, name=defendant.name,
                                    custody_status=defendant.custody_status, events=[]).model_dump(mode="json")
    data["events"] = [event_answer(e, groups) for e in custody.events]
    return filter_fields(data, groups, "defendant")


def _load_defendant(defendant_id: int) -> Defendant:
    defendant = db.session.get(Defendant, defendant_id)
    if defendant is None:
        raise NotFound()
    load_case(current_user, defendant.case_id)  # the case hidden: the same 404
    return defendant


@bp.get("/cases/<int:case_id>/defendants")
def list_defendants_api(case_id: int) -> Response:
    require(Permission.CASE_VIEW)
    case = load_case(current_user, case_id)
    groups = case_groups(current_user, case.id)
    page, next_after = paged(queries.case_custody(case.id), key=lambda c: c.defendant.id)
    return page_json([defendant_answer(c, groups) for c in page], next_after)


@bp.get("/defendants/<int:defendant_id>/custody")
def list_custody_api(defendant_id: int) -> Response:
    require(Permission.CASE_VIEW)
    defendant = _load_defendant(defendant_id)
    groups = case_groups(current_user, defendant.case_id)
    page, next_after = paged(queries.history(defendant.id))
    return page_json([event_answer(e, groups) for e in page], next_after)


@bp.post("/defendants/<int:defendant_id>/custody")
def record_custody_api(defendant_id: int) -> Response:
    require(Permission.CASE_EDIT)
    defendant = db.session.get(Defendant, defendant_id)
    case = load_visible(current_user, Case, defendant.case_id, can_edit_case) if defendant else None
    if case is None:
        raise NotFound()
    data = body(schemas.CustodyEventInput).given()
    data["occurred_at"] = _moment("occurred_at", data["occurred_at"], case)
    data["learned_at"] = _moment("learned_at", data.get("learned_at"), case)
    event = operations.record_custody_event(current_user, defendant, **data)
    db.session.commit()
    return reply_json(event_answer(event, case_groups(current_user, case.id)), 201)


# ---- enrolment for offender notices after the case --------------------------------------------------


def enrolment_answer(witness: Witness, journey: Journey) -> dict[str, Any]:
    row = queries.enrolment(witness.id, journey.case_id)
    enrolment = schemas.Enrolment(
        witness_id=witness.id, case_id=journey.case_id,
        enrolled=row.enrolled if row is not None else True,  # no row: enrolled, the default
        changed_at=row.changed_at if row is not None else None,
        reason=row.reason if row is not None else "",
    )
    return filter_fields(enrolment.model_dump(mode="json"), visible_groups(current_user, witness), "enrolment")


def _journeys(witness: Witness) -> list[Journey]:
    return list(db.session.execute(
        sa.select(Journey).where(Journey.witness_id == witness.id).order_by(Journey.case_id)).scalars())


@bp.get("/witnesses/<int:witness_id>/enrolments")
def list_enrolments_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness = load_witness(current_user, witness_id)
    # An enrolment is the witness's in one case: the case id is its id in the list.
    page, next_after = paged(_journeys(witness), key=lambda j: j.case_id)
    return page_json([enrolment_answer(witness, j) for j in page], next_after)


@bp.put("/witnesses/<int:witness_id>/enrolments/<int:case_id>")
def set_enrolment_api(witness_id: int, case_id: int) -> Response:
    require(Permission.NOTIFICATION_MANAGE)
    witness = load_witness(current_user, witness_id)
    journey = next((j for j in _journeys(witness) if j.case_id == case_id), None)
    if journey is None:
        raise NotFound()
    data = body(schemas.EnrolmentInput)
    operations.set_enrolment(current_user, witness, journey.case, enrolled=data.enrolled, reason=data.reason or "")
    db.session.commit()
    return reply_json(enrolment_answer(witness, journey))


add_paths({
    "/cases/{case_id}/defendants": {
        "parameters": [id_param("case_id")],
        "get": Op("Each defendant of the case with its custody history",
                  {"200": page_of(schemas.DefendantCustody)}, parameters=PAGE_PARAMETERS),
    },
    "/defendants/{defendant_id}/custody": {
        "parameters": [id_param("defendant_id")],
        "get": Op("The defendant's custody history, most recent first", {"200": page_of(schemas.CustodyEvent)},
                  parameters=PAGE_PARAMETERS),
        "post": Op(
            "Record a custody change (never an edit: a correction names the wrong entry); tells the case's witnesses",
            {"201": schemas.CustodyEvent}, schemas.CustodyEventInput,
        ),
    },
    "/witnesses/{witness_id}/enrolments": {
        "parameters": [id_param("witness_id")],
        "get": Op("Per case of the witness: enrolled for offender notices after the case?",
                  {"200": page_of(schemas.Enrolment)}, parameters=PAGE_PARAMETERS),
    },
    "/witnesses/{witness_id}/enrolments/{case_id}": {
        "parameters": [id_param("witness_id"), id_param("case_id")],
        "put": Op("Record the witness's choice; an opt-out cancels queued notices at once",
                  {"200": schemas.Enrolment}, schemas.EnrolmentInput),
    },
})
