"""API routes for witnesses and their risk assessments."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, request
from flask_login import current_user

from ..access import can_edit_witness, filter_fields, visible_groups
from ..api import body, bp, keyset, page_json, query_int, reply, reply_json, require
from ..api.openapi import PAGE_PARAMETERS, Op, add_paths, id_param
from ..api.schemas import page_of
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import FieldGroup, Permission
from . import operations, queries, schemas
from .models import RiskAssessment, Witness
from .views import list_witnesses, search_name, search_witnesses


def witness_detail(witness: Witness) -> dict:
    """The witness as this caller may see it: fields of groups they do not see are absent, and
    `identity` holds only the identity, contact and location fields they see (null if none)."""
    groups = visible_groups(current_user, witness)
    shaped = schemas.Witness.of(witness, identity=True).model_dump(mode="json", by_alias=True)
    identity = filter_fields(shaped.pop("identity"), groups, "witness")
    body = filter_fields(shaped, groups, "witness")
    body["identity"] = identity or None
    if identity:
        operations.record_identity_view(current_user, witness, via="api", groups=groups)
    return body


def risk_items(assessments: list[RiskAssessment], groups: frozenset[FieldGroup]) -> list[dict]:
    return [filter_fields(schemas.RiskAssessment.of(a).model_dump(mode="json"), groups, "risk_assessment")
            for a in assessments]


def load_witness(witness_id: int) -> Witness:
    return queries.load_witness(current_user, witness_id)


@bp.get("/witnesses")
def list_witnesses_api() -> Response:
    require(Permission.WITNESS_LIST)
    after = query_int("after")
    limit = query_int("limit", 50)
    if not 1 <= limit <= 200:
        raise ValidationFailed({"limit": "Give a limit between 1 and 200."})
    name = search_name(request.args.get("name"))
    if name is not None and len(name) > 200:
        raise ValidationFailed({"name": "At most 200 characters."})
    rows = list_witnesses(current_user, after=after, limit=limit + 1, name=name)
    page = rows[:limit]
    if name is not None:
        operations.record_identity_search(current_user, len(page), via="api")
        db.session.commit()
    return reply(schemas.WitnessPage(
        items=[schemas.WitnessSummary.of(w) for w in page],
        next_after=page[-1].id if len(rows) > limit else None,
    ))


@bp.post("/witnesses/search")
def search_witnesses_api() -> Response:
    """The search box of the witness list: by reference among every witness the caller may see,
    by name among those whose identity they may see; a hidden witness answers as a missing one."""
    require(Permission.WITNESS_LIST)
    data = body(schemas.SearchInput)
    by = "reference" if queries.is_reference_query(data.q) else "name"
    found = search_witnesses(current_user, data.q, None, via="api", identity=True, limit=data.limit + 1)
    db.session.commit()
    return reply(schemas.SearchResults(items=[schemas.WitnessSummary.of(w) for w in found[:data.limit]], by=by,
                                       more=len(found) > data.limit))


@bp.post("/witnesses")
def create_witness_api() -> tuple[Response, int]:
    require(Permission.WITNESS_CREATE)
    data = body(schemas.WitnessInput)
    witness = operations.create_witness(current_user, **data.model_dump())
    db.session.commit()
    answer = witness_detail(witness)
    db.session.commit()
    return reply_json(answer, 201)


@bp.get("/witnesses/<int:witness_id>")
def get_witness_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    witness = load_witness(witness_id)
    answer = witness_detail(witness)
    db.session.commit()
    return reply_json(answer)


@bp.patch("/witnesses/<int:witness_id>")
def update_witness_api(witness_id: int) -> Response:
    require(Permission.WITNESS_EDIT)
    witness = load_witness(witness_id)
    if not can_edit_witness(current_user, witness):
        raise NotFound()
    data = body(schemas.WitnessPatch)
    operations.update_witness(current_user, witness, **data.given())
    db.session.commit()
    answer = witness_detail(witness)
    db.session.commit()
    return reply_json(answer)


@bp.get("/witnesses/<int:witness_id>/risk-assessments")
def list_risk_api(witness_id: int) -> Response:
    require(Permission.RISK_VIEW)
    witness = load_witness(witness_id)
    assessments, next_after = keyset(
        sa.select(RiskAssessment).where(RiskAssessment.witness_id == witness.id),
        RiskAssessment.id, [(RiskAssessment.assessed_on, True), (RiskAssessment.id, True)],
    )
    return page_json(risk_items(assessments, visible_groups(current_user, witness)), next_after)


@bp.post("/witnesses/<int:witness_id>/risk-assessments")
def create_risk_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.RISK_CREATE)
    witness = load_witness(witness_id)
    data = body(schemas.RiskAssessmentInput)
    assessment = operations.record_risk_assessment(current_user, witness, **data.model_dump())
    db.session.commit()
    return reply_json(risk_items([assessment], visible_groups(current_user, witness))[0], 201)


_NAME_SEARCH = (
    "Exact legal name (case, accents' Unicode form and spacing aside), matched through a keyed blind index "
    "among the witnesses whose identity you may see. The search is audited (without the name). Query "
    "strings are masked in the server's logs."
)

add_paths({
    "/witnesses": {
        "get": Op(
            "Witnesses you are assigned to (pseudonymous), newest first",
            {"200": schemas.WitnessPage},
            parameters=[
                {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                {"name": "name", "in": "query", "description": _NAME_SEARCH,
                 "schema": {"type": "string", "maxLength": 200}},
            ],
        ),
        "post": Op("Register a witness", {"201": schemas.Witness}, schemas.WitnessInput),
    },
    "/witnesses/search": {
        "post": Op("Find witnesses by reference or by any words of a name (audited when by name)",
                   {"200": schemas.SearchResults}, schemas.SearchInput),
    },
    "/witnesses/{witness_id}": {
        "parameters": [id_param("witness_id")],
        "get": Op("A witness; identity only with need to know (audited)", {"200": schemas.Witness}),
        "patch": Op("Change a witness", {"200": schemas.Witness}, schemas.WitnessPatch),
    },
    "/witnesses/{witness_id}/risk-assessments": {
        "parameters": [id_param("witness_id")],
        "get": Op("Risk assessments, newest first", {"200": page_of(schemas.RiskAssessment)},
                  parameters=PAGE_PARAMETERS),
        "post": Op("Record a risk assessment", {"201": schemas.RiskAssessment}, schemas.RiskAssessmentInput),
    },
})
