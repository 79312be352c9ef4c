"""API routes for outcomes: the verdict and sentence per defendant, appeals and custody changes."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response
from flask_login import current_user

from ..access import can_view_case
from ..api import body, bp, keyset, reply, require
from ..api.openapi import PAGE_PARAMETERS, Op, add_paths, id_param
from ..api.schemas import page_of
from ..cases.models import Defendant
from ..cases.queries import load_case
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import Permission
from . import operations, schemas
from .models import Outcome


def load_outcome(outcome_id: int) -> Outcome:
    outcome = db.session.get(Outcome, outcome_id)
    if outcome is None or not can_view_case(current_user, outcome.case):
        raise NotFound()
    return outcome


@bp.get("/cases/<int:case_id>/outcomes")
def list_outcomes_api(case_id: int) -> Response:
    require(Permission.CASE_VIEW)
    case = load_case(current_user, case_id)
    outcomes, next_after = keyset(sa.select(Outcome).where(Outcome.case_id == case.id), Outcome.id,
                                  [(Outcome.id, False)])
    return reply(page_of(schemas.Outcome)(items=[schemas.Outcome.model_validate(o) for o in outcomes],
                                          next_after=next_after))


@bp.post("/cases/<int:case_id>/outcomes")
def record_outcome_api(case_id: int) -> tuple[Response, int]:
    require(Permission.OUTCOME_RECORD)
    case = load_case(current_user, case_id)
    data = body(schemas.OutcomeInput).given()
    defendant = db.session.get(Defendant, data.pop("defendant_id"))
    if defendant is None or defendant.case_id != case.id:
        raise ValidationFailed({"defendant_id": "No such defendant in this case."})
    outcome = operations.record_outcome(current_user, defendant, **data)
    db.session.commit()
    db.session.refresh(outcome)
    return reply(schemas.Outcome.model_validate(outcome), 201)


@bp.patch("/outcomes/<int:outcome_id>")
def update_outcome_api(outcome_id: int) -> Response:
    require(Permission.OUTCOME_RECORD)
    outcome = load_outcome(outcome_id)
    data = body(schemas.OutcomeChangeInput).given()
    operations.update_outcome(current_user, outcome, **data)
    db.session.commit()
    db.session.refresh(outcome)
    return reply(schemas.Outcome.model_validate(outcome))


add_paths({
    "/cases/{case_id}/outcomes": {
        "parameters": [id_param("case_id")],
        "get": Op("Outcomes per defendant, with their history", {"200": page_of(schemas.Outcome)},
                  parameters=PAGE_PARAMETERS),
        "post": Op("Record a verdict (moves the witnesses to post-trial, tells them, raises plan revisions)",
                   {"201": schemas.Outcome}, schemas.OutcomeInput),
    },
    "/outcomes/{outcome_id}": {
        "parameters": [id_param("outcome_id")],
        "patch": Op("Change an outcome: sentence, appeal, appeal outcome, custody change (kept as history)",
                    {"200": schemas.Outcome}, schemas.OutcomeChangeInput),
    },
})
