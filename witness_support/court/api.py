"""API routes for court support: court events, attendance, testimonial aids, assignments, readiness.

Times: `starts_at`/`ends_at` are ISO 8601. With an offset they mean that instant; without one they
are read on the court's wall clock (the case's time zone). Responses give UTC and court-local times.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Response, jsonify
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..court import operations, readiness
from ..court.models import (
    AidKind,
    AidStatus,
    Attendance,
    CourtEvent,
    EventKind,
    EventStatus,
    EventWitness,
    TestimonialAid,
)
from ..court.views import can_manage_event, can_view_event
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import Permission, can_view_witness
from ..witnesses import operations as witness_ops
from ..witnesses.models import AssignmentRole, WitnessAssignment
from . import Field, bp, iso, json_body, parse, require
from . import openapi as oa
from .cases import load_case
from .witnesses import load_witness

EVENT_FIELDS = {
    "kind": Field(str, required=True, nullable=False, choices=set(EventKind)),
    "starts_at": Field(str, required=True, nullable=False, max_length=40),
    "ends_at": Field(str, required=True, nullable=False, max_length=40),
    "court_name": Field(str, max_length=200),
    "room": Field(str, max_length=100),
    "remote_link": Field(bool, nullable=False),
    "interpreter_language": Field(str, max_length=35),
    "witness_ids": Field(list),
    "reflection_override_reason": Field(str, max_length=2000),
}
EVENT_PATCH_FIELDS = {
    "status": Field(str, nullable=False, choices={EventStatus.CANCELLED, EventStatus.HELD}),
    "starts_at": Field(str, nullable=False, max_length=40),
    "ends_at": Field(str, nullable=False, max_length=40),
    "room": Field(str, max_length=100),
    "court_name": Field(str, nullable=False, max_length=200),
    "remote_link": Field(bool, nullable=False),
    "interpreter_language": Field(str, max_length=35),
    "reason": Field(str, max_length=2000),
    "reflection_override_reason": Field(str, max_length=2000),
}
ATTENDANCE_FIELDS = {
    "witness_id": Field(int, required=True, nullable=False),
    "user_id": Field(int, required=True, nullable=False),
    "override_reason": Field(str, max_length=2000),
}
AID_FIELDS = {
    "case_id": Field(int, required=True, nullable=False),
    "kind": Field(str, required=True, nullable=False, choices=set(AidKind)),
    "note": Field(str, max_length=5000),
}
AID_PATCH_FIELDS = {
    "status": Field(str, required=True, nullable=False, choices=set(AidStatus)),
    "on": Field(date),
    "order_reference": Field(str, max_length=100),
    "note": Field(str, max_length=5000),
}
ASSIGNMENT_FIELDS = {
    "user_id": Field(int, required=True, nullable=False),
    "role": Field(str, required=True, nullable=False, choices=set(AssignmentRole)),
    "starts_on": Field(date),
    "ends_on": Field(date),
}


def parse_instant(name: str, value: str, tz: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({name: "Give a date and time as YYYY-MM-DDTHH:MM, optionally with an offset."}) from None
    return operations.from_court_local(parsed, tz)


def event_json(event: CourtEvent) -> dict[str, Any]:
    tz = ZoneInfo(event.case.court_timezone)
    return {
        "id": event.id,
        "case_id": event.case_id,
        "kind": event.kind,
        "status": event.status,
        "starts_at": iso(event.starts_at),
        "ends_at": iso(event.ends_at),
        "local_starts_at": event.starts_at.astimezone(tz).isoformat(),
        "local_ends_at": event.ends_at.astimezone(tz).isoformat(),
        "court_timezone": event.case.court_timezone,
        "court_name": event.court_name,
        "room": event.room,
        "remote_link": event.remote_link,
        "interpreter_language": event.interpreter_language,
        "revision": event.revision,
        "updated_at": iso(event.updated_at),
        "witnesses": [
            {"witness_id": r.witness_id, "reference": r.witness.reference,
             "reflection_override_reason": r.reflection_override_reason}
            for r in event.required
        ],
        "attendance": [attendance_json(a) for a in event.attendance],
        "history": [
            {"action": c.action, "revision": c.revision, "at": iso(c.at), "actor_id": c.actor_id, "reason": c.reason,
             "old_starts_at": iso(c.old_starts_at), "old_ends_at": iso(c.old_ends_at),
             "new_starts_at": iso(c.new_starts_at), "new_ends_at": iso(c.new_ends_at),
             "old_status": c.old_status, "new_status": c.new_status}
            for c in event.changes
        ],
    }


def attendance_json(a: Attendance) -> dict[str, Any]:
    return {"id": a.id, "event_id": a.event_id, "witness_id": a.witness_id, "user_id": a.user_id, "role": a.role,
            "override_reason": a.override_reason}


def aid_json(aid: TestimonialAid) -> dict[str, Any]:
    return {
        "id": aid.id, "witness_id": aid.witness_id, "case_id": aid.case_id, "kind": aid.kind, "status": aid.status,
        "applied_on": iso(aid.applied_on), "decided_on": iso(aid.decided_on), "order_reference": aid.order_reference,
        "note": aid.note, "proposed_automatically": aid.proposed_automatically,
        "history": [{"from": h.from_status, "to": h.to_status, "at": iso(h.at), "actor_id": h.actor_id, "note": h.note}
                    for h in aid.history],
    }


def assignment_json(a: WitnessAssignment) -> dict[str, Any]:
    return {
        "id": a.id, "witness_id": a.witness_id, "user_id": a.user_id, "display_name": a.user.display_name,
        "role": a.role, "starts_on": iso(a.starts_on), "ends_on": iso(a.ends_on), "ended_at": iso(a.ended_at),
        "active": a.is_active_on(),
    }


def load_event(event_id: int) -> CourtEvent:
    event = db.session.get(CourtEvent, event_id)
    if event is None or not can_view_event(current_user, event):
        raise NotFound()
    return event


def _witness_ids(value: list[Any] | None) -> list[int]:
    if value is None:
        return []
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValidationFailed({"witness_ids": "Give a list of witness ids."})
    for witness_id in value:
        load_witness(witness_id)  # a witness you cannot see is reported as not found
    return value


# ---- court events ----------------------------------------------------------------------------


@bp.get("/cases/<int:case_id>/court-events")
def list_events_api(case_id: int) -> Response:
    require(Permission.COURT_EVENT_VIEW)
    case = load_case(case_id)
    events = db.session.execute(
        sa.select(CourtEvent).where(CourtEvent.case_id == case.id)
        .options(
            selectinload(CourtEvent.required).selectinload(EventWitness.witness),
            selectinload(CourtEvent.attendance),
            selectinload(CourtEvent.changes),
        )
        .order_by(CourtEvent.starts_at, CourtEvent.id)
    ).scalars()
    return jsonify({"items": [event_json(e) for e in events]})


@bp.post("/cases/<int:case_id>/court-events")
def create_event_api(case_id: int) -> tuple[Response, int]:
    require(Permission.COURT_EVENT_MANAGE)
    case = load_case(case_id)
    data = parse(json_body(), EVENT_FIELDS)
    tz = case.court_timezone
    event = operations.schedule_event(
        current_user, case, kind=data["kind"],
        starts_at=parse_instant("starts_at", data["starts_at"], tz),
        ends_at=parse_instant("ends_at", data["ends_at"], tz),
        room=data.get("room") or "", court_name=data.get("court_name"),
        remote_link=data.get("remote_link", False), interpreter_language=data.get("interpreter_language"),
        witness_ids=_witness_ids(data.get("witness_ids")),
        reflection_override_reason=data.get("reflection_override_reason") or "",
    )
    db.session.commit()
    return jsonify(event_json(event)), 201


@bp.get("/court-events/<int:event_id>")
def get_event_api(event_id: int) -> Response:
    require(Permission.COURT_EVENT_VIEW)
    return jsonify(event_json(load_event(event_id)))


@bp.patch("/court-events/<int:event_id>")
def patch_event_api(event_id: int) -> Response:
    """One change per request: a status (cancelled or held), a move (new times), or details."""
    require(Permission.COURT_EVENT_MANAGE)
    event = load_event(event_id)
    if not can_manage_event(current_user, event):
        raise NotFound()
    data = parse(json_body(), EVENT_PATCH_FIELDS, partial=True)
    if not data:
        raise ValidationFailed({}, "Send a status, new times, or details to change.")
    reason = data.get("reason") or ""
    moving = "starts_at" in data or "ends_at" in data
    details = {k: data[k] for k in ("court_name", "remote_link", "interpreter_language") if k in data}
    if "status" in data:
        if moving or details or "room" in data:
            raise ValidationFailed({"status": "Change the status on its own, not together with times or details."})
        if data["status"] == EventStatus.CANCELLED:
            operations.cancel_event(current_user, event, reason)
        else:
            operations.mark_event_held(current_user, event, reason)
    elif moving:
        if details:
            raise ValidationFailed({"starts_at": "Move the event on its own, then change other details."})
        tz = event.case.court_timezone
        starts_at = parse_instant("starts_at", data["starts_at"], tz) if "starts_at" in data else event.starts_at
        ends_at = parse_instant("ends_at", data["ends_at"], tz) if "ends_at" in data else event.ends_at
        operations.move_event(current_user, event, starts_at=starts_at, ends_at=ends_at, reason=reason,
                              room=data.get("room"),
                              reflection_override_reason=data.get("reflection_override_reason") or "")
    else:
        operations.update_event_details(current_user, event, room=data.get("room"), reason=reason, **details)
    db.session.commit()
    return jsonify(event_json(event))


@bp.post("/court-events/<int:event_id>/attendance")
def create_attendance_api(event_id: int) -> tuple[Response, int]:
    require(Permission.COURT_ATTENDANCE_MANAGE)
    event = load_event(event_id)
    data = parse(json_body(), ATTENDANCE_FIELDS)
    witness = load_witness(data["witness_id"])
    user = db.session.get(User, data["user_id"])
    if user is None:
        raise ValidationFailed({"user_id": "No such person."})
    attendance = operations.assign_attendance(current_user, event, witness, user, data.get("override_reason") or "")
    db.session.commit()
    return jsonify(attendance_json(attendance)), 201


# ---- aids ------------------------------------------------------------------------------------


@bp.get("/witnesses/<int:witness_id>/aids")
def list_aids_api(witness_id: int) -> Response:
    require(Permission.AID_VIEW)
    witness = load_witness(witness_id)
    aids = db.session.execute(
        sa.select(TestimonialAid).where(TestimonialAid.witness_id == witness.id)
        .order_by(TestimonialAid.case_id, TestimonialAid.id)
    ).scalars()
    return jsonify({"items": [aid_json(a) for a in aids]})


@bp.post("/witnesses/<int:witness_id>/aids")
def create_aid_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.AID_MANAGE)
    witness = load_witness(witness_id)
    data = parse(json_body(), AID_FIELDS)
    case = load_case(data["case_id"])
    aid = operations.propose_aid(current_user, witness, case, data["kind"], data.get("note") or "")
    db.session.commit()
    return jsonify(aid_json(aid)), 201


@bp.patch("/aids/<int:aid_id>")
def patch_aid_api(aid_id: int) -> Response:
    require(Permission.AID_MANAGE)
    aid = db.session.get(TestimonialAid, aid_id)
    if aid is None or not can_view_witness(current_user, aid.witness):
        raise NotFound()
    data = parse(json_body(), AID_PATCH_FIELDS)
    operations.change_aid_status(current_user, aid, data["status"], on=data.get("on"),
                                 order_reference=data.get("order_reference"), note=data.get("note") or "")
    db.session.commit()
    return jsonify(aid_json(aid))


# ---- assignments (the witnesses area's model and operations) ---------------------------------


@bp.get("/witnesses/<int:witness_id>/assignments")
def list_assignments_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness = load_witness(witness_id)
    rows = db.session.execute(
        sa.select(WitnessAssignment).where(WitnessAssignment.witness_id == witness.id)
        .order_by(WitnessAssignment.id)
    ).scalars()
    return jsonify({"items": [assignment_json(a) for a in rows]})


@bp.post("/witnesses/<int:witness_id>/assignments")
def create_assignment_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_ASSIGN)
    witness = load_witness(witness_id)
    data = parse(json_body(), ASSIGNMENT_FIELDS)
    user = db.session.get(User, data["user_id"])
    if user is None:
        raise ValidationFailed({"user_id": "No such person."})
    assignment = witness_ops.assign_support(current_user, witness, user, data["role"], data.get("starts_on"),
                                            data.get("ends_on"))
    db.session.commit()
    return jsonify(assignment_json(assignment)), 201


@bp.delete("/assignments/<int:assignment_id>")
def end_assignment_api(assignment_id: int) -> Response:
    """Ends the assignment (the record stays, for the audit trail); access ends at once."""
    require(Permission.WITNESS_ASSIGN)
    assignment = db.session.get(WitnessAssignment, assignment_id)
    if assignment is None or not can_view_witness(current_user, assignment.witness):
        raise NotFound()
    witness_ops.end_assignment(current_user, assignment)
    db.session.commit()
    return jsonify(assignment_json(assignment))


# ---- readiness -------------------------------------------------------------------------------


@bp.get("/cases/<int:case_id>/readiness")
def case_readiness_api(case_id: int) -> Response:
    require(Permission.READINESS_VIEW)
    case = load_case(case_id)
    trials = readiness.case_readiness(case)
    return jsonify({"case_id": case.id, "trials": [readiness.trial_json(t) for t in trials]})


# ---- OpenAPI ---------------------------------------------------------------------------------

DT = {"type": "string", "format": "date-time"}
DT_NULL = {"type": ["string", "null"], "format": "date-time"}
LOCAL_DT = {"type": "string", "description": "ISO 8601; without an offset it is read in the court's time zone"}
EVENT_KINDS = [k.value for k in EventKind]
AID_KINDS = [k.value for k in AidKind]
AID_STATUSES = [s.value for s in AidStatus]
ROLES = [r.value for r in AssignmentRole]

oa.add_schemas({
    "CourtEvent": {
        "type": "object",
        "required": ["id", "case_id", "kind", "status", "starts_at", "ends_at", "local_starts_at", "court_timezone",
                     "court_name", "room", "remote_link", "revision", "updated_at", "witnesses", "attendance",
                     "history"],
        "properties": {
            "id": {"type": "integer"}, "case_id": {"type": "integer"}, "kind": {"enum": EVENT_KINDS},
            "status": {"enum": [s.value for s in EventStatus]},
            "starts_at": DT, "ends_at": DT, "local_starts_at": DT, "local_ends_at": DT,
            "court_timezone": {"type": "string"}, "court_name": {"type": "string"}, "room": {"type": "string"},
            "remote_link": {"type": "boolean"}, "interpreter_language": {"type": ["string", "null"]},
            "revision": {"type": "integer", "minimum": 1, "description": "iCalendar SEQUENCE"},
            "updated_at": {**DT, "description": "iCalendar DTSTAMP: changes exactly when revision does"},
            "witnesses": {"type": "array", "items": {
                "type": "object", "required": ["witness_id", "reference"],
                "properties": {"witness_id": {"type": "integer"}, "reference": {"type": "string"},
                               "reflection_override_reason": {"type": ["string", "null"]}}}},
            "attendance": {"type": "array", "items": oa.ref("Attendance")},
            "history": {"type": "array", "items": {
                "type": "object", "required": ["action", "revision", "at", "new_status"],
                "properties": {"action": {"enum": ["created", "moved", "cancelled", "held", "updated"]},
                               "revision": {"type": "integer"}, "at": DT, "actor_id": {"type": ["integer", "null"]},
                               "reason": {"type": "string"}, "old_starts_at": DT_NULL, "old_ends_at": DT_NULL,
                               "new_starts_at": DT_NULL, "new_ends_at": DT_NULL,
                               "old_status": {"type": ["string", "null"]}, "new_status": {"type": "string"}}}},
        },
    },
    "CourtEventInput": {
        "type": "object", "required": ["kind", "starts_at", "ends_at"], "additionalProperties": False,
        "properties": {
            "kind": {"enum": EVENT_KINDS}, "starts_at": LOCAL_DT, "ends_at": LOCAL_DT,
            "court_name": {"type": ["string", "null"], "maxLength": 200},
            "room": {"type": ["string", "null"], "maxLength": 100}, "remote_link": {"type": "boolean"},
            "interpreter_language": {"type": ["string", "null"], "maxLength": 35},
            "witness_ids": {"type": ["array", "null"], "items": {"type": "integer"}, "maxItems": 100},
            "reflection_override_reason": {"type": ["string", "null"], "maxLength": 2000},
        },
    },
    "CourtEventPatch": {
        "type": "object", "additionalProperties": False,
        "description": "One change per request: status (cancelled/held), a move (times, optionally room), or details.",
        "properties": {
            "status": {"enum": ["cancelled", "held"]}, "starts_at": LOCAL_DT, "ends_at": LOCAL_DT,
            "room": {"type": ["string", "null"], "maxLength": 100},
            "court_name": {"type": "string", "maxLength": 200}, "remote_link": {"type": "boolean"},
            "interpreter_language": {"type": ["string", "null"], "maxLength": 35},
            "reason": {"type": ["string", "null"], "maxLength": 2000},
            "reflection_override_reason": {"type": ["string", "null"], "maxLength": 2000},
        },
    },
    "Attendance": {
        "type": "object", "required": ["id", "event_id", "witness_id", "user_id", "role"],
        "properties": {"id": {"type": "integer"}, "event_id": {"type": "integer"}, "witness_id": {"type": "integer"},
                       "user_id": {"type": "integer"}, "role": {"enum": ROLES},
                       "override_reason": {"type": ["string", "null"]}},
    },
    "AttendanceInput": {
        "type": "object", "required": ["witness_id", "user_id"], "additionalProperties": False,
        "properties": {"witness_id": {"type": "integer"}, "user_id": {"type": "integer"},
                       "override_reason": {"type": ["string", "null"], "maxLength": 2000}},
    },
    "Aid": {
        "type": "object",
        "required": ["id", "witness_id", "case_id", "kind", "status", "proposed_automatically", "history"],
        "properties": {
            "id": {"type": "integer"}, "witness_id": {"type": "integer"}, "case_id": {"type": "integer"},
            "kind": {"enum": AID_KINDS}, "status": {"enum": AID_STATUSES}, "applied_on": oa.DATE,
            "decided_on": oa.DATE, "order_reference": {"type": ["string", "null"]}, "note": {"type": "string"},
            "proposed_automatically": {"type": "boolean"},
            "history": {"type": "array", "items": {
                "type": "object", "required": ["to", "at"],
                "properties": {"from": {"enum": [*AID_STATUSES, None]}, "to": {"enum": AID_STATUSES}, "at": DT,
                               "actor_id": {"type": ["integer", "null"]}, "note": {"type": "string"}}}},
        },
    },
    "AidInput": {
        "type": "object", "required": ["case_id", "kind"], "additionalProperties": False,
        "properties": {"case_id": {"type": "integer"}, "kind": {"enum": AID_KINDS},
                       "note": {"type": ["string", "null"], "maxLength": 5000}},
    },
    "AidPatch": {
        "type": "object", "required": ["status"], "additionalProperties": False,
        "description": "needed → applied → granted | refused; withdrawn from needed or applied.",
        "properties": {"status": {"enum": AID_STATUSES}, "on": oa.DATE,
                       "order_reference": {"type": ["string", "null"], "maxLength": 100},
                       "note": {"type": ["string", "null"], "maxLength": 5000}},
    },
    "Assignment": {
        "type": "object", "required": ["id", "witness_id", "user_id", "role", "starts_on", "active"],
        "properties": {"id": {"type": "integer"}, "witness_id": {"type": "integer"}, "user_id": {"type": "integer"},
                       "display_name": {"type": "string"}, "role": {"enum": ROLES},
                       "starts_on": {"type": "string", "format": "date"}, "ends_on": oa.DATE, "ended_at": DT_NULL,
                       "active": {"type": "boolean"}},
    },
    "AssignmentInput": {
        "type": "object", "required": ["user_id", "role"], "additionalProperties": False,
        "properties": {"user_id": {"type": "integer"}, "role": {"enum": ROLES}, "starts_on": oa.DATE,
                       "ends_on": oa.DATE},
    },
    "Readiness": {
        "type": "object", "required": ["case_id", "trials"],
        "properties": {
            "case_id": {"type": "integer"},
            "trials": {"type": "array", "items": {
                "type": "object",
                "required": ["event_id", "case_id", "starts_at", "local_start", "ready", "total", "state", "witnesses"],
                "properties": {
                    "event_id": {"type": "integer"}, "case_id": {"type": "integer"}, "starts_at": DT, "ends_at": DT,
                    "local_start": DT, "court_timezone": {"type": "string"},
                    "ready": {"type": "integer"}, "total": {"type": "integer"},
                    "state": {"enum": ["ready", "partly_ready", "not_ready", "no_witnesses"]},
                    "witnesses": {"type": "array", "items": {
                        "type": "object", "required": ["witness_id", "reference", "ready", "blockers"],
                        "properties": {
                            "witness_id": {"type": "integer"}, "reference": {"type": "string"},
                            "ready": {"type": "boolean"},
                            "blockers": {"type": "array", "items": {
                                "type": "object", "required": ["code", "message", "link"],
                                "properties": {
                                    "code": {"enum": ["risk_assessment", "participation", "reflection_period",
                                                      "aid_pending", "no_support_person", "no_interpreter",
                                                      "no_familiarisation_visit", "child_without_guardian"]},
                                    "message": {"type": "string"}, "link": {"type": "string"}}}},
                        }}},
                }}},
        },
    },
})

oa.add_paths({
    "/cases/{case_id}/court-events": {
        "parameters": [oa.id_param("case_id")],
        "get": oa.op("The case's court events, soonest first (cancelled ones included)",
                     {"200": oa.ok(oa.items_of("CourtEvent"))}),
        "post": oa.op("Schedule a court event (reflection-period override needed for witnesses still reflecting)",
                      {"201": oa.ok(oa.ref("CourtEvent"), "Created")}, "CourtEventInput"),
    },
    "/court-events/{event_id}": {
        "parameters": [oa.id_param("event_id")],
        "get": oa.op("A court event with its history and attendance", {"200": oa.ok(oa.ref("CourtEvent"))}),
        "patch": oa.op("Move, cancel, mark held, or change details", {"200": oa.ok(oa.ref("CourtEvent"))},
                       "CourtEventPatch"),
    },
    "/court-events/{event_id}/attendance": {
        "parameters": [oa.id_param("event_id")],
        "post": oa.op("Book an assigned person to attend in support of a witness (double-booking needs a reason)",
                      {"201": oa.ok(oa.ref("Attendance"), "Created")}, "AttendanceInput"),
    },
    "/witnesses/{witness_id}/aids": {
        "parameters": [oa.id_param("witness_id")],
        "get": oa.op("The witness's testimonial aids", {"200": oa.ok(oa.items_of("Aid"))}),
        "post": oa.op("Record an aid that is needed", {"201": oa.ok(oa.ref("Aid"), "Created")}, "AidInput"),
    },
    "/aids/{aid_id}": {
        "parameters": [oa.id_param("aid_id")],
        "patch": oa.op("Move an aid along its lifecycle; a decision raises a task for the liaison officer",
                       {"200": oa.ok(oa.ref("Aid"))}, "AidPatch"),
    },
    "/witnesses/{witness_id}/assignments": {
        "parameters": [oa.id_param("witness_id")],
        "get": oa.op("Support assignments of the witness (ended ones included)",
                     {"200": oa.ok(oa.items_of("Assignment"))}),
        "post": oa.op("Assign a person to the witness (grants need-to-know access)",
                      {"201": oa.ok(oa.ref("Assignment"), "Created")}, "AssignmentInput"),
    },
    "/assignments/{assignment_id}": {
        "parameters": [oa.id_param("assignment_id")],
        "delete": oa.op("End the assignment (the record is kept); the person loses access at once",
                        {"200": oa.ok(oa.ref("Assignment"))}),
    },
    "/cases/{case_id}/readiness": {
        "parameters": [oa.id_param("case_id")],
        "get": oa.op("Readiness of every required witness for each upcoming trial day",
                     {"200": oa.ok(oa.ref("Readiness"))}),
    },
})
