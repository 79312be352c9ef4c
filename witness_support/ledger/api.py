"""API routes of the benefits ledger: entries, corrections, concerns and the disclosure schedule.

A benefit is never changed or deleted: PUT, PATCH and DELETE answer 405 and point to corrections.
"""

from __future__ import annotations

from flask import Response, request
from flask_login import current_user

from ..access import can_view_witness, filter_fields, visible_groups
from ..api import body, bp, error_response, page_json, paged, reply_json, require
from ..api.openapi import PAGE_PARAMETERS, Op, add_paths, error, id_param
from ..auth.models import User
from ..cases.queries import load_case
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import FieldGroup, Permission
from ..witnesses.models import Witness
from ..witnesses.queries import load_witness
from . import operations as ledger_ops
from . import schemas
from .export import schedule_csv, schedule_json
from .models import BenefitConcern, BenefitEntry


def _authoriser(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None:
        raise ValidationFailed(
            {"authorised_by_id": "The authoriser must be a liaison officer or prosecutor assigned to this witness."}
        )
    return user


def benefit_groups(witness: Witness) -> frozenset[FieldGroup]:
    """The caller's groups of the witness; without the benefits summary its benefits are not theirs to see."""
    groups = visible_groups(current_user, witness)
    if FieldGroup.BENEFITS_SUMMARY not in groups:
        raise NotFound()
    return groups


def entry_answer(entry: BenefitEntry, groups: frozenset[FieldGroup]) -> dict:
    """The entry in its schema's shape, without the fields of groups the caller does not see."""
    return filter_fields(schemas.BenefitEntry.model_validate(entry).model_dump(mode="json"), groups, "benefit")


def concern_answer(concern: BenefitConcern, groups: frozenset[FieldGroup]) -> dict:
    """The concern in its schema's shape, as someone who sees `groups` of its witness may read it."""
    return filter_fields(schemas.Concern.of(concern).model_dump(mode="json"), groups, "concern")


def load_entry(entry_id: int) -> BenefitEntry:
    entry = db.session.get(BenefitEntry, entry_id)
    if entry is None or not can_view_witness(current_user, entry.witness):
        raise NotFound()
    return entry


@bp.get("/witnesses/<int:witness_id>/benefits")
def list_benefits_api(witness_id: int) -> Response:
    require(Permission.BENEFIT_VIEW)
    witness = load_witness(current_user, witness_id)
    groups = benefit_groups(witness)
    entries = ledger_ops.entries_for([witness.id])
    totals = schemas.BenefitList.of([], ledger_ops.totals(entries)).model_dump(mode="json")["totals"]
    page, next_after = paged(entries)
    return page_json([entry_answer(e, groups) for e in page], next_after, totals=totals)


@bp.post("/witnesses/<int:witness_id>/benefits")
def record_benefit_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.BENEFIT_RECORD)
    witness = load_witness(current_user, witness_id)
    data = body(schemas.BenefitInput)
    authoriser = _authoriser(data.authorised_by_id)
    entry = ledger_ops.record_benefit(current_user, witness, authorised_by=authoriser,
                                      **data.model_dump(exclude={"authorised_by_id"}))
    db.session.commit()
    return reply_json(entry_answer(entry, visible_groups(current_user, witness)), 201)


@bp.get("/benefits/<int:entry_id>")
def get_benefit_api(entry_id: int) -> Response:
    require(Permission.BENEFIT_VIEW)
    entry = load_entry(entry_id)
    return reply_json(entry_answer(entry, benefit_groups(entry.witness)))


@bp.route("/benefits/<int:entry_id>", methods=["PUT", "PATCH", "DELETE"])
def change_benefit_api(entry_id: int) -> Response:
    # Someone who may not see the entry learns nothing, not even that it cannot be changed.
    require(Permission.BENEFIT_VIEW)
    load_entry(entry_id)
    response = error_response(
        405, "method_not_allowed",
        "A benefit entry is never changed or deleted. Record a correction: "
        f"POST /api/v1/benefits/{entry_id}/corrections.",
    )
    response.headers["Allow"] = "GET, HEAD, OPTIONS"
    return response


@bp.post("/benefits/<int:entry_id>/corrections")
def correct_benefit_api(entry_id: int) -> tuple[Response, int]:
    require(Permission.BENEFIT_RECORD)
    original = load_entry(entry_id)
    data = body(schemas.CorrectionInput)
    authoriser = _authoriser(data.authorised_by_id)
    entry = ledger_ops.correct_benefit(current_user, original, authorised_by=authoriser,
                                       **data.model_dump(exclude={"authorised_by_id"}))
    db.session.commit()
    return reply_json(entry_answer(entry, visible_groups(current_user, original.witness)), 201)


@bp.post("/benefits/<int:entry_id>/concerns")
def raise_entry_concern_api(entry_id: int) -> tuple[Response, int]:
    require(Permission.CONCERN_RAISE)
    entry = load_entry(entry_id)
    data = body(schemas.ConcernInput)
    concern = ledger_ops.raise_concern(current_user, entry.witness, data.description, entry)
    db.session.commit()
    return reply_json(concern_answer(concern, visible_groups(current_user, entry.witness)), 201)


@bp.post("/witnesses/<int:witness_id>/concerns")
def raise_witness_concern_api(witness_id: int) -> tuple[Response, int]:
    require(Permission.CONCERN_RAISE)
    witness = load_witness(current_user, witness_id)
    data = body(schemas.ConcernInput)
    concern = ledger_ops.raise_concern(current_user, witness, data.description)
    db.session.commit()
    return reply_json(concern_answer(concern, visible_groups(current_user, witness)), 201)


def _schedule_response(schedule: ledger_ops.Schedule, filename: str) -> Response:
    wants = request.accept_mimetypes.best_match(["application/json", "text/csv"], default="application/json")
    fmt = "csv" if wants == "text/csv" else "json"
    ledger_ops.record_schedule_view(current_user, schedule, f"api-{fmt}")
    db.session.commit()
    if fmt == "csv":
        response = Response(schedule_csv(schedule, current_user), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    # Shaped as schemas.DisclosureSchedule, by the export module (which leaves out whole sections
    # and fields the caller may not see).
    return reply_json(schedule_json(schedule, current_user))


@bp.get("/cases/<int:case_id>/disclosure")
def case_disclosure_api(case_id: int) -> Response:
    require(Permission.DISCLOSURE_VIEW)
    case = load_case(current_user, case_id)
    return _schedule_response(ledger_ops.build_schedule(case=case), f"disclosure-case-{case.id}")


@bp.get("/witnesses/<int:witness_id>/disclosure")
def witness_disclosure_api(witness_id: int) -> Response:
    require(Permission.DISCLOSURE_VIEW)
    witness: Witness = load_witness(current_user, witness_id)
    return _schedule_response(ledger_ops.build_schedule(witness=witness), f"disclosure-{witness.reference}")


_NOT_ALLOWED = error("Ledger entries are never changed or deleted; record a correction instead")
_SCHEDULE = {
    "description": "The schedule (every view and export is audited)",
    "content": {"application/json": schemas.DisclosureSchedule, "text/csv": {"schema": {"type": "string"}}},
}

add_paths({
    "/witnesses/{witness_id}/benefits": {
        "parameters": [id_param("witness_id")],
        "get": Op("The witness's benefits in date order, corrections included, with net totals",
                  {"200": schemas.BenefitList}, parameters=PAGE_PARAMETERS),
        "post": Op("Record a benefit given to the witness (appended to the hash chain)",
                   {"201": schemas.BenefitEntry}, schemas.BenefitInput),
    },
    "/benefits/{entry_id}": {
        "parameters": [id_param("entry_id")],
        "get": Op("One ledger entry", {"200": schemas.BenefitEntry}),
        "put": Op("Not allowed: entries are never changed", {"405": _NOT_ALLOWED}, errors=("401", "404")),
        "patch": Op("Not allowed: entries are never changed", {"405": _NOT_ALLOWED}, errors=("401", "404")),
        "delete": Op("Not allowed: entries are never deleted", {"405": _NOT_ALLOWED}, errors=("401", "404")),
    },
    "/benefits/{entry_id}/corrections": {
        "parameters": [id_param("entry_id")],
        "post": Op("Reverse or adjust an entry with a new entry; both stay visible",
                   {"201": schemas.BenefitEntry}, schemas.CorrectionInput),
    },
    "/benefits/{entry_id}/concerns": {
        "parameters": [id_param("entry_id")],
        "post": Op("Raise a concern of misuse or abuse of support against an entry",
                   {"201": schemas.Concern}, schemas.ConcernInput),
    },
    "/witnesses/{witness_id}/concerns": {
        "parameters": [id_param("witness_id")],
        "post": Op("Raise a concern of misuse or abuse of support about a witness",
                   {"201": schemas.Concern}, schemas.ConcernInput),
    },
    "/cases/{case_id}/disclosure": {
        "parameters": [id_param("case_id")],
        "get": Op("The case's benefits disclosure schedule; CSV with Accept: text/csv", {"200": _SCHEDULE}),
    },
    "/witnesses/{witness_id}/disclosure": {
        "parameters": [id_param("witness_id")],
        "get": Op("The witness's benefits disclosure schedule; CSV with Accept: text/csv", {"200": _SCHEDULE}),
    },
})
