"""API routes for cases, journeys and stage transitions."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response
from flask_login import current_user

from ..access import can_edit_case, can_view_witness, visible_case_ids
from ..api import body, bp, keyset, reply, require
from ..api.openapi import PAGE_PARAMETERS, Op, add_paths, id_param
from ..api.schemas import page_of
from ..errors import NotFound
from ..extensions import db
from ..permissions import Permission
from ..witnesses.queries import load_witness
from . import operations, queries, schemas
from .models import Case, CaseAssignment, Journey


def load_case(case_id: int) -> Case:
    return queries.load_case(current_user, case_id)


@bp.get("/cases")
def list_cases_api() -> Response:
    require(Permission.CASE_LIST)
    cases, next_after = keyset(
        sa.select(Case).where(Case.id.in_(visible_case_ids(current_user).scalar_subquery())),
        Case.id, [(Case.reference, False), (Case.id, False)],
    )
    return reply(page_of(schemas.Case)(items=[schemas.Case.of(c) for c in cases], next_after=next_after))


@bp.post("/cases")
def create_case_api() -> tuple[Response, int]:
    require(Permission.CASE_CREATE)
    data = body(schemas.CaseInput)
    case = operations.create_case(current_user, **data.model_dump(exclude={"defendants"}))
    for defendant in data.defendants or []:
        operations.add_defendant(current_user, case, **defendant.model_dump())
    db.session.commit()
    db.session.refresh(case)
    return reply(schemas.Case.of(case), 201)


@bp.get("/cases/<int:case_id>")
def get_case_api(case_id: int) -> Response:
    require(Permission.CASE_VIEW)
    return reply(schemas.Case.of(load_case(case_id)))


@bp.post("/cases/<int:case_id>/witnesses")
def start_journey_api(case_id: int) -> tuple[Response, int]:
    require(Permission.JOURNEY_START)
    case = load_case(case_id)
    if not can_edit_case(current_user, case):
        raise NotFound()
    data = body(schemas.JourneyInput)
    witness = load_witness(current_user, data.witness_id)
    journey = operations.start_journey(current_user, case, witness)
    db.session.commit()
    return reply(schemas.Journey.model_validate(journey), 201)


@bp.post("/journeys/<int:journey_id>/transitions")
def transition_api(journey_id: int) -> tuple[Response, int]:
    require(Permission.JOURNEY_TRANSITION)
    journey = db.session.get(Journey, journey_id)
    if journey is None or not can_view_witness(current_user, journey.witness):
        raise NotFound()
    data = body(schemas.TransitionInput)
    transition = operations.transition_journey(current_user, journey, **data.model_dump())
    db.session.commit()
    return reply(schemas.Transition.model_validate(transition), 201)


@bp.get("/cases/<int:case_id>/assignments")
def list_case_assignments_api(case_id: int) -> Response:
    require(Permission.CASE_VIEW)
    case = load_case(case_id)
    rows, next_after = keyset(sa.select(CaseAssignment).where(CaseAssignment.case_id == case.id),
                              CaseAssignment.id, [(CaseAssignment.id, False)])
    return reply(page_of(schemas.CaseAssignment)(
        items=[schemas.CaseAssignment.model_validate(a) for a in rows], next_after=next_after))


@bp.delete("/cases/<int:case_id>/assignments/<int:case_assignment_id>")
def end_case_assignment_api(case_id: int, case_assignment_id: int) -> Response:
    """Ends the case assignment (the record stays, for the audit trail); access ends at once.
    The body gives the reason: {"reason": "..."}."""
    require(Permission.CASE_EDIT)
    case = load_case(case_id)
    if not can_edit_case(current_user, case):
        raise NotFound()
    assignment = db.session.get(CaseAssignment, case_assignment_id)
    if assignment is None or assignment.case_id != case.id:
        raise NotFound()
    data = body(schemas.CaseAssignmentEnd)
    operations.end_case_assignment(current_user, assignment, data.reason)
    db.session.commit()
    return reply(schemas.CaseAssignment.model_validate(assignment))


add_paths({
    "/cases": {
        "get": Op("Cases you work on, by reference", {"200": page_of(schemas.Case)}, parameters=PAGE_PARAMETERS),
        "post": Op("Open a case", {"201": schemas.Case}, schemas.CaseInput),
    },
    "/cases/{case_id}": {
        "parameters": [id_param("case_id")],
        "get": Op("A case", {"200": schemas.Case}),
    },
    "/cases/{case_id}/witnesses": {
        "parameters": [id_param("case_id")],
        "post": Op("Link a witness to the case (starts a journey at pre-trial)", {"201": schemas.Journey},
                   schemas.JourneyInput),
    },
    "/journeys/{journey_id}/transitions": {
        "parameters": [id_param("journey_id")],
        "post": Op("Move a journey to another stage", {"201": schemas.Transition}, schemas.TransitionInput),
    },
    "/cases/{case_id}/assignments": {
        "parameters": [id_param("case_id")],
        "get": Op("Staff assignments of the case (ended ones included)", {"200": page_of(schemas.CaseAssignment)},
                  parameters=PAGE_PARAMETERS),
    },
    "/cases/{case_id}/assignments/{case_assignment_id}": {
        "parameters": [id_param("case_id"), id_param("case_assignment_id")],
        "delete": Op("Take a person off the case (the record is kept, the reason audited); they lose access at once",
                     {"200": schemas.CaseAssignment}, schemas.CaseAssignmentEnd),
    },
})
