"""API routes for the contact log, dates to avoid and attendance outcomes; in the OpenAPI document.

The same need-to-know as the pages: a witness the caller may not see, a contact log of a witness
whose `contact` group they do not see, an event they may not see, answer 404; fields of groups the
caller does not see are absent from the answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response
from flask_login import current_user
from pydantic import BaseModel

from ..access import can_view_witness, filter_fields, load_visible, sees, visible_groups
from ..api import body, bp, page_args, page_json, paged, reply_json, require
from ..api.openapi import PAGE_PARAMETERS, Op, add_paths, id_param
from ..api.schemas import MAX_ID, page_of
from ..availability import operations as availability_ops
from ..availability import queries as availability_queries
from ..availability.models import DateToAvoid
from ..court.models import CourtEvent
from ..court.queries import can_view_event
from ..dates import local_to_utc
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import FieldGroup, Permission, Role, has_permission
from ..witnesses import operations as witness_ops
from ..witnesses.models import Witness
from . import operations, queries, schemas
from .models import WitnessContact


def _witness(witness_id: int, group: FieldGroup | None = None) -> Witness:
    """The witness, or 404 when the caller may not see them (or, with `group`, that group of theirs)."""
    witness = load_visible(current_user, Witness, witness_id, can_view_witness)
    if witness is None or (group is not None and not sees(current_user, witness, group)):
        raise NotFound()
    return witness


def _out(obj: Any, schema: type[BaseModel], resource: str, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    """`obj` in its schema's shape, without the fields of groups the caller does not see."""
    data = schema.of(obj) if hasattr(schema, "of") else schema.model_validate(obj)  # type: ignore[attr-defined]
    return filter_fields(data.model_dump(mode="json"), groups, resource)


def _occurred_at(value: str, tz: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({"occurred_at": "Give a date and time as YYYY-MM-DDTHH:MM, optionally with an offset."}
                               ) from None
    return local_to_utc("occurred_at", parsed, tz, "court_past")


@bp.get("/witnesses/<int:witness_id>/contacts")
def list_contacts_api(witness_id: int) -> Response:
    require(Permission.CONTACT_VIEW)
    witness = _witness(witness_id, FieldGroup.CONTACT)
    after_id, limit = page_args()
    after = None
    if after_id is not None:
        after = db.session.get(WitnessContact, after_id) if 0 <= after_id <= MAX_ID else None
        if after is None or after.witness_id != witness.id:
            raise ValidationFailed({"after": "Give the id of a contact of this witness (next_after)."})
    rows = queries.contacts_of(witness.id, after=after, limit=limit + 1)
    page = rows[:limit]
    groups = visible_groups(current_user, witness)
    witness_ops.record_identity_view(current_user, witness, via="api", groups={FieldGroup.CONTACT})
    db.session.commit()
    return page_json([_out(c, schemas.Contact, "contact", groups) for c in page],
                     page[-1].id if len(rows) > limit else None)


@bp.post("/witnesses/<int:witness_id>/contacts")
def log_contact_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.CONTACT_COURT_NOTE)
    witness = _witness(witness_id)
    may_log = has_permission(current_user, Permission.CONTACT_LOG) and sees(current_user, witness, FieldGroup.CONTACT)
    may_note = current_user.role == Role.SUPPORT_PERSON and queries.is_assigned(current_user, witness)
    if not (may_log or may_note):
        raise NotFound()
    data = body(schemas.ContactInput)
    tz = queries.witness_timezone(witness.id)
    contact = operations.log_contact(
        current_user, witness, occurred_at=_occurred_at(data.occurred_at, tz), channel=data.channel,
        counterpart=data.counterpart, summary=data.summary, interpreter_language=data.interpreter_language,
        interpreter_name=data.interpreter_name, follow_up_on=data.follow_up_on,
    )
    db.session.commit()
    # A support person without the contact group wrote it but does not read it back.
    return reply_json(_out(contact, schemas.Contact, "contact", visible_groups(current_user, witness)), 201)


@bp.get("/witnesses/<int:witness_id>/dates-to-avoid")
def list_dates_to_avoid_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness = _witness(witness_id)
    groups = visible_groups(current_user, witness)
    dates, next_after = paged(availability_queries.dates_of(witness.id))
    return page_json([_out(d, schemas.DateToAvoid, "date_to_avoid", groups) for d in dates], next_after)


@bp.post("/witnesses/<int:witness_id>/dates-to-avoid")
def add_date_to_avoid_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.DATES_TO_AVOID_RECORD)
    witness = _witness(witness_id, FieldGroup.NEEDS)
    data = body(schemas.DateToAvoidInput)
    entry = availability_ops.add_date_to_avoid(
        current_user, witness, first_day=data.first_day, last_day=data.last_day, reason=data.reason,
        note=data.note or "",
    )
    db.session.commit()
    return reply_json(_out(entry, schemas.DateToAvoid, "date_to_avoid", visible_groups(current_user, witness)), 201)


@bp.delete("/dates-to-avoid/<int:date_id>")
def remove_date_to_avoid_api(date_id: int) -> Response:
    """The row is kept (removed_at), for the officer to see what the witness once said."""
    require(Permission.DATES_TO_AVOID_RECORD)
    entry = db.session.get(DateToAvoid, date_id)
    if entry is None:
        raise NotFound()
    witness = _witness(entry.witness_id, FieldGroup.NEEDS)
    availability_ops.remove_date_to_avoid(current_user, entry)
    db.session.commit()
    return reply_json(_out(entry, schemas.DateToAvoid, "date_to_avoid", visible_groups(current_user, witness)))


@bp.put("/court-events/<int:event_id>/witnesses/<int:witness_id>/outcome")
def record_attendance_outcome_api(event_id: int, witness_id: int) -> Response:
    require(Permission.ATTENDANCE_OUTCOME_RECORD)
    event = load_visible(current_user, CourtEvent, event_id, can_view_event)
    if event is None:
        raise NotFound()
    requirement = queries.requirement(event.id, witness_id)
    if requirement is None:
        raise NotFound()
    data = body(schemas.AttendanceOutcomeInput)
    operations.record_attendance_outcome(current_user, requirement, outcome=data.outcome,
                                         reason=data.outcome_reason)
    db.session.commit()
    # Whoever sees the event sees the court logistics of its witnesses (as the event's own answer).
    groups = frozenset({FieldGroup.COURT_LOGISTICS})
    return reply_json(_out(requirement, schemas.AttendanceOutcome, "attendance_outcome", groups))


add_paths({
    "/witnesses/{witness_id}/contacts": {
        "parameters": [id_param("witness_id")],
        "get": Op(
            "The witness's contact log, newest first (contact field group; each read audited)",
            {"200": schemas.ContactPage},
            parameters=[
                {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
            ],
        ),
        "post": Op("Log a contact (a support person: a court-day note for a witness they are assigned to); "
                   "a follow-up day becomes a task", {"201": schemas.Contact}, schemas.ContactInput),
    },
    "/witnesses/{witness_id}/dates-to-avoid": {
        "parameters": [id_param("witness_id")],
        "get": Op("The days the witness cannot attend (reasons with the needs field group)",
                  {"200": page_of(schemas.DateToAvoid)}, parameters=PAGE_PARAMETERS),
        "post": Op("Add a day or a range of days the witness cannot attend", {"201": schemas.DateToAvoid},
                   schemas.DateToAvoidInput),
    },
    "/dates-to-avoid/{date_id}": {
        "parameters": [id_param("date_id")],
        "delete": Op("Remove a date to avoid (the record is kept, marked removed)", {"200": schemas.DateToAvoid}),
    },
    "/court-events/{event_id}/witnesses/{witness_id}/outcome": {
        "parameters": [id_param("event_id"), id_param("witness_id")],
        "put": Op("Record how the witness's attendance went (did_not_attend needs the reason); once the event "
                  "has begun", {"200": schemas.AttendanceOutcome}, schemas.AttendanceOutcomeInput),
    },
})
