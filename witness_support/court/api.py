"""API routes for court support: court events, attendance, assignments, readiness.

The shapes of what is sent and answered, and how times are read, are in `schemas.py`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import Response
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..access import can_view_witness, filter_fields
from ..api import body, bp, keyset, page_json, reply, reply_json, require
from ..api.openapi import PAGE_PARAMETERS, Op, add_paths, id_param
from ..api.schemas import page_of
from ..auth.models import User
from ..cases.queries import load_case
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import LIST_GROUPS, Permission
from ..witnesses import operations as witness_ops
from ..witnesses.models import WitnessAssignment
from ..witnesses.queries import load_witness
from . import operations, readiness, schemas
from .models import CourtEvent, EventStatus, EventWitness
from .queries import can_manage_event, can_view_event


def event_answer(event: CourtEvent) -> dict:
    """The event in its schema's shape; a field without a field group is left out."""
    data = schemas.CourtEvent.of(event).model_dump(mode="json", by_alias=True)
    return filter_fields(data, LIST_GROUPS, "court_event")


def parse_instant(name: str, value: str, tz: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({name: "Give a date and time as YYYY-MM-DDTHH:MM, optionally with an offset."}) from None
    return operations.from_court_local(parsed, tz, name)


def load_event(event_id: int) -> CourtEvent:
    event = db.session.get(CourtEvent, event_id)
    if event is None or not can_view_event(current_user, event):
        raise NotFound()
    return event


def _person(field: str, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise ValidationFailed({field: "No such person."})
    return user


# ---- court events ----------------------------------------------------------------------------


@bp.get("/cases/<int:case_id>/court-events")
def list_events_api(case_id: int) -> Response:
    require(Permission.COURT_EVENT_VIEW)
    case = load_case(current_user, case_id)
    events, next_after = keyset(
        sa.select(CourtEvent).where(CourtEvent.case_id == case.id)
        .options(
            selectinload(CourtEvent.required).selectinload(EventWitness.witness),
            selectinload(CourtEvent.attendance),
            selectinload(CourtEvent.changes),
        ),
        CourtEvent.id, [(CourtEvent.starts_at, False), (CourtEvent.id, False)],
    )
    return page_json([event_answer(e) for e in events], next_after)


@bp.post("/cases/<int:case_id>/court-events")
def create_event_api(case_id: int) -> tuple[Response, int]:
    require(Permission.COURT_EVENT_MANAGE)
    case = load_case(current_user, case_id)
    data = body(schemas.CourtEventInput)
    tz = case.court_timezone
    for witness_id in data.witness_ids or []:
        load_witness(current_user, witness_id)  # a witness you cannot see is reported as not found
    event = operations.schedule_event(
        current_user, case, kind=data.kind,
        starts_at=parse_instant("starts_at", data.starts_at, tz),
        ends_at=parse_instant("ends_at", data.ends_at, tz),
        room=data.room, court_name=data.court_name, remote_link=data.remote_link,
        interpreter_language=data.interpreter_language, witness_ids=data.witness_ids or [],
        reflection_override_reason=data.reflection_override_reason,
        avoid_override_reason=data.avoid_override_reason,
    )
    db.session.commit()
    return reply_json(event_answer(event), 201)


@bp.get("/court-events/<int:event_id>")
def get_event_api(event_id: int) -> Response:
    require(Permission.COURT_EVENT_VIEW)
    return reply_json(event_answer(load_event(event_id)))


@bp.patch("/court-events/<int:event_id>")
def patch_event_api(event_id: int) -> Response:
    """One change per request: a status (cancelled or held), a move (new times), or details."""
    require(Permission.COURT_EVENT_MANAGE)
    event = load_event(event_id)
    if not can_manage_event(current_user, event):
        raise NotFound()
    data = body(schemas.CourtEventPatch)
    sent = data.given()
    if not sent:
        raise ValidationFailed({}, "Send a status, new times, or details to change.")
    reason = data.reason
    moving = "starts_at" in sent or "ends_at" in sent
    details = {k: sent[k] for k in ("court_name", "remote_link", "interpreter_language") if k in sent}
    if "status" in sent:
        if moving or details or "room" in sent:
            raise ValidationFailed({"status": "Change the status on its own, not together with times or details."})
        if data.status == EventStatus.CANCELLED:
            operations.cancel_event(current_user, event, reason)
        else:
            operations.mark_event_held(current_user, event, reason)
    elif moving:
        if details:
            raise ValidationFailed({"starts_at": "Move the event on its own, then change other details."})
        tz = event.case.court_timezone
        starts_at = parse_instant("starts_at", data.starts_at, tz) if "starts_at" in sent else event.starts_at
        ends_at = parse_instant("ends_at", data.ends_at, tz) if "ends_at" in sent else event.ends_at
        operations.move_event(current_user, event, starts_at=starts_at, ends_at=ends_at, reason=reason,
                              room=data.room, reflection_override_reason=data.reflection_override_reason,
                              avoid_override_reason=data.avoid_override_reason)
    else:
        operations.update_event_details(current_user, event, room=data.room, reason=reason, **details)
    db.session.commit()
    return reply_json(event_answer(event))


@bp.post("/court-events/<int:event_id>/attendance")
def create_attendance_api(event_id: int) -> tuple[Response, int]:
    require(Permission.COURT_ATTENDANCE_MANAGE)
    event = load_event(event_id)
    data = body(schemas.AttendanceInput)
    witness = load_witness(current_user, data.witness_id)
    user = _person("user_id", data.user_id)
    attendance = operations.assign_attendance(current_user, event, witness, user, data.override_reason,
                                              assign_as=data.assign_as)
    db.session.commit()
    return reply(schemas.Attendance.model_validate(attendance), 201)


# ---- assignments (the witnesses area's model and operations) ---------------------------------


@bp.get("/witnesses/<int:witness_id>/assignments")
def list_assignments_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness = load_witness(current_user, witness_id)
    rows, next_after = keyset(sa.select(WitnessAssignment).where(WitnessAssignment.witness_id == witness.id),
                              WitnessAssignment.id, [(WitnessAssignment.id, False)])
    return reply(page_of(schemas.Assignment)(items=[schemas.Assignment.of(a) for a in rows], next_after=next_after))


@bp.post("/witnesses/<int:witness_id>/assignments")
def create_assignment_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_ASSIGN)
    witness = load_witness(current_user, witness_id)
    data = body(schemas.AssignmentInput)
    user = _person("user_id", data.user_id)
    assignment = witness_ops.assign_support(current_user, witness, user, data.role, data.starts_on, data.ends_on)
    db.session.commit()
    return reply(schemas.Assignment.of(assignment), 201)


@bp.delete("/assignments/<int:assignment_id>")
def end_assignment_api(assignment_id: int) -> Response:
    """Ends the assignment (the record stays, for the audit trail); access ends at once."""
    require(Permission.WITNESS_ASSIGN)
    assignment = db.session.get(WitnessAssignment, assignment_id)
    if assignment is None or not can_view_witness(current_user, assignment.witness):
        raise NotFound()
    witness_ops.end_assignment(current_user, assignment)
    db.session.commit()
    return reply(schemas.Assignment.of(assignment))


# ---- readiness -------------------------------------------------------------------------------


@bp.get("/cases/<int:case_id>/readiness")
def case_readiness_api(case_id: int) -> Response:
    require(Permission.READINESS_VIEW)
    case = load_case(current_user, case_id)
    trials = readiness.case_readiness(case)
    return reply(schemas.Readiness(case_id=case.id, trials=[schemas.TrialDayReadiness.of(t) for t in trials]))


add_paths({
    "/cases/{case_id}/court-events": {
        "parameters": [id_param("case_id")],
        "get": Op("The case's court events, soonest first (cancelled ones included)",
                  {"200": page_of(schemas.CourtEvent)}, parameters=PAGE_PARAMETERS),
        "post": Op("Schedule a court event (reflection-period override needed for witnesses still reflecting)",
                   {"201": schemas.CourtEvent}, schemas.CourtEventInput),
    },
    "/court-events/{event_id}": {
        "parameters": [id_param("event_id")],
        "get": Op("A court event with its history and attendance", {"200": schemas.CourtEvent}),
        "patch": Op("Move, cancel, mark held, or change details", {"200": schemas.CourtEvent},
                    schemas.CourtEventPatch),
    },
    "/court-events/{event_id}/attendance": {
        "parameters": [id_param("event_id")],
        "post": Op("Book an assigned person to attend in support of a witness (double-booking needs a reason)",
                   {"201": schemas.Attendance}, schemas.AttendanceInput),
    },
    "/witnesses/{witness_id}/assignments": {
        "parameters": [id_param("witness_id")],
        "get": Op("Support assignments of the witness (ended ones included)", {"200": page_of(schemas.Assignment)},
                  parameters=PAGE_PARAMETERS),
        "post": Op("Assign a person to the witness (grants need-to-know access)", {"201": schemas.Assignment},
                   schemas.AssignmentInput),
    },
    "/assignments/{assignment_id}": {
        "parameters": [id_param("assignment_id")],
        "delete": Op("End the assignment (the record is kept); the person loses access at once",
                     {"200": schemas.Assignment}),
    },
    "/cases/{case_id}/readiness": {
        "parameters": [id_param("case_id")],
        "get": Op("Readiness of every required witness for each upcoming trial day", {"200": schemas.Readiness}),
    },
})
