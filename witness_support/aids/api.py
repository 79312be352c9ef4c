"""API routes for testimonial aids: a witness's aids, recording one as needed, and its lifecycle.

The shapes of what is sent and answered are in `schemas.py`.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response
from flask_login import current_user

from ..access import can_view_witness, filter_fields
from ..api import body, bp, keyset, page_json, reply_json, require
from ..api.openapi import PAGE_PARAMETERS, Op, add_paths, id_param
from ..api.schemas import page_of
from ..cases.queries import load_case
from ..errors import NotFound
from ..extensions import db
from ..permissions import LIST_GROUPS, Permission
from ..witnesses.queries import load_witness
from . import operations, schemas
from .models import TestimonialAid


def aid_answer(aid: TestimonialAid) -> dict:
    """The aid in its schema's shape: court logistics, which whoever sees the witness sees."""
    return filter_fields(schemas.Aid.model_validate(aid).model_dump(mode="json", by_alias=True), LIST_GROUPS, "aid")


@bp.get("/witnesses/<int:witness_id>/aids")
def list_aids_api(witness_id: int) -> Response:
    require(Permission.AID_VIEW)
    witness = load_witness(current_user, witness_id)
    aids, next_after = keyset(
        sa.select(TestimonialAid).where(TestimonialAid.witness_id == witness.id),
        TestimonialAid.id, [(TestimonialAid.case_id, False), (TestimonialAid.id, False)],
    )
    return page_json([aid_answer(a) for a in aids], next_after)


@bp.post("/witnesses/<int:witness_id>/aids")
def create_aid_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.AID_MANAGE)
    witness = load_witness(current_user, witness_id)
    data = body(schemas.AidInput)
    case = load_case(current_user, data.case_id)
    aid = operations.propose_aid(current_user, witness, case, data.kind, data.note)
    db.session.commit()
    return reply_json(aid_answer(aid), 201)


@bp.patch("/aids/<int:aid_id>")
def patch_aid_api(aid_id: int) -> Response:
    require(Permission.AID_MANAGE)
    aid = db.session.get(TestimonialAid, aid_id)
    if aid is None or not can_view_witness(current_user, aid.witness):
        raise NotFound()
    data = body(schemas.AidPatch)
    operations.change_aid_status(current_user, aid, data.status, on=data.on, order_reference=data.order_reference,
                                 note=data.note)
    db.session.commit()
    return reply_json(aid_answer(aid))


add_paths({
    "/witnesses/{witness_id}/aids": {
        "parameters": [id_param("witness_id")],
        "get": Op("The witness's testimonial aids", {"200": page_of(schemas.Aid)},
                  parameters=PAGE_PARAMETERS),
        "post": Op("Record an aid that is needed", {"201": schemas.Aid}, schemas.AidInput),
    },
    "/aids/{aid_id}": {
        "parameters": [id_param("aid_id")],
        "patch": Op("Move an aid along its lifecycle; a decision raises a task for the liaison officer",
                    {"200": schemas.Aid}, schemas.AidPatch),
    },
})
