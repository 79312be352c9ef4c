"""API routes for documents: list a witness's or a case's, upload one (multipart/form-data), read
its description, download its content (streamed); in the OpenAPI document. A document the caller
may not see answers 404, as one that does not exist."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask_login import current_user

from ..access import can_view_case, can_view_witness, load_visible
from ..api import NotMultipart, body, bp, query_int, reply, require
from ..api.openapi import Op, add_paths, error, id_param
from ..cases.models import Case
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import Permission
from ..witnesses.models import Witness
from . import operations, queries, schemas
from .models import AttachedTo
from .responses import file_response
from .views import allow_upload_size

UPLOADS = frozenset({"api.upload_witness_document_api", "api.upload_case_document_api"})


@bp.url_value_preprocessor
def _upload_size(endpoint: str | None, values: dict[str, Any] | None) -> None:
    allow_upload_size(endpoint, UPLOADS)


def _witness(witness_id: int) -> Witness:
    witness = load_visible(current_user, Witness, witness_id, can_view_witness)
    if witness is None:
        raise NotFound()
    return witness


def _case(case_id: int) -> Case:
    case = load_visible(current_user, Case, case_id, can_view_case)
    if case is None:
        raise NotFound()
    return case


def _paging() -> tuple[int | None, int]:
    limit = query_int("limit", 50)
    if limit is None or not 1 <= limit <= 200:
        raise ValidationFailed({"limit": "Give a limit between 1 and 200."})
    return query_int("after"), limit


def _page(rows: list[Any], limit: int) -> Response:
    page = rows[:limit]
    return reply(schemas.DocumentPage(items=[schemas.Document.model_validate(d) for d in page],
                                      next_after=page[-1].id if len(rows) > limit else None))


def _form_id(name: str) -> int | None:
    raw = request.form.get(name)
    if raw in (None, ""):
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        raise ValidationFailed({name: "Give a whole number."})
    return int(raw)


def _upload(targets: list[queries.Target], owners: dict[str, AttachedTo], default: queries.Target) -> Response:
    if request.mimetype != "multipart/form-data":
        raise NotMultipart()
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": "This field is required."})
    target = default
    for name, attached_to in owners.items():
        object_id = _form_id(name)
        if object_id is not None:
            target = queries.find_target(targets, f"{attached_to}:{object_id}")  # type: ignore[assignment]
            if target is None:
                raise ValidationFailed({name: f"No such {attached_to.replace('_', ' ')} here."})
    group = request.form.get("field_group") or None
    try:
        data = upload.read(int(current_app.config["DOCUMENT_MAX_BYTES"]) + 1)
    finally:
        upload.close()  # werkzeug keeps a large upload in an unnamed temporary file: gone now
    document = operations.upload_document(current_user, target, data=data, name=upload.filename, field_group=group)
    db.session.commit()
    return reply(schemas.Document.model_validate(document), 201)


@bp.get("/witnesses/<int:witness_id>/documents")
def witness_documents_api(witness_id: int) -> Response:
    require(Permission.DOCUMENT_VIEW)
    witness = _witness(witness_id)
    after, limit = _paging()
    return _page(queries.witness_documents(current_user, witness, after=after, limit=limit + 1), limit)


@bp.post("/witnesses/<int:witness_id>/documents")
def upload_witness_document_api(witness_id: int) -> Response:
    require(Permission.DOCUMENT_UPLOAD)
    witness = _witness(witness_id)
    targets = queries.witness_targets(witness)
    return _upload(targets, {"aid_id": AttachedTo.AID, "impact_statement_id": AttachedTo.IMPACT_STATEMENT},
                   targets[0])


@bp.get("/cases/<int:case_id>/documents")
def case_documents_api(case_id: int) -> Response:
    require(Permission.CASE_VIEW)  # a case's documents are for people on the case (and DOCUMENT_VIEW)
    case = _case(case_id)
    after, limit = _paging()
    return _page(queries.case_documents(current_user, case, after=after, limit=limit + 1), limit)


@bp.post("/cases/<int:case_id>/documents")
def upload_case_document_api(case_id: int) -> Response:
    require(Permission.DOCUMENT_UPLOAD)
    case = _case(case_id)
    targets = queries.case_targets(case)
    return _upload(targets, {"outcome_id": AttachedTo.OUTCOME}, targets[0])


@bp.get("/documents/<int:document_id>")
def document_api(document_id: int) -> Response:
    require(Permission.DOCUMENT_VIEW)
    document = queries.load_document(current_user, document_id)
    if document is None:
        raise NotFound()
    return reply(schemas.Document.model_validate(document))


@bp.get("/documents/<int:document_id>/content")
def document_content_api(document_id: int) -> Response:
    require(Permission.DOCUMENT_VIEW)
    document = queries.load_content(current_user, document_id)  # a removed document's content is gone
    if document is None:
        raise NotFound()
    chunks = operations.read_document(current_user, document, via="api")
    db.session.commit()  # audited before the first byte leaves
    return file_response(document, chunks)


@bp.delete("/documents/<int:document_id>")
def remove_document_api(document_id: int) -> Response:
    require(Permission.DOCUMENT_UPLOAD)
    document = queries.load_document(current_user, document_id)
    if document is None:
        raise NotFound()
    reason = body(schemas.Removal).reason
    operations.remove_document(current_user, document, reason=reason)
    db.session.commit()
    return reply(schemas.Document.model_validate(document))


_PAGING = [
    {"name": "after", "in": "query", "description": "The next_after of the previous page",
     "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
]
_TOO_LARGE = error("The request is far larger than DOCUMENT_MAX_BYTES; nothing was stored")
_WHO = "Only documents whose field group you see are listed"
add_paths({
    "/witnesses/{witness_id}/documents": {
        "parameters": [id_param("witness_id")],
        "get": Op(f"The witness's documents (their own, their aids', their impact statements'), newest first. {_WHO}.",
                  {"200": schemas.DocumentPage}, parameters=_PAGING),
        "post": Op("Upload a document for the witness, or for one of their aids or impact statements; nothing is "
                   "stored if the file's content is not an accepted kind or it is over the limit (422, or 413 for a "
                   "body far over it)",
                   {"201": schemas.Document, "413": _TOO_LARGE},
                   requestBody=schemas.upload_body("aid_id", "impact_statement_id")),
    },
    "/cases/{case_id}/documents": {
        "parameters": [id_param("case_id")],
        "get": Op(f"The case's documents and its outcomes', for people working on the case, newest first. {_WHO} "
                  "of every witness of the case.", {"200": schemas.DocumentPage}, parameters=_PAGING),
        "post": Op("Upload a document for the case or one of its outcomes",
                   {"201": schemas.Document, "413": _TOO_LARGE}, requestBody=schemas.upload_body("outcome_id")),
    },
    "/documents/{document_id}": {
        "parameters": [id_param("document_id")],
        "get": Op("A document's description (a removed one's tombstone: who removed it, when and why)",
                  {"200": schemas.Document}),
        "delete": Op("Remove a document (audited): its content is deleted, so it can never be downloaded again; "
                     "its description stays as a tombstone. A liaison officer, or whoever uploaded it, may remove "
                     "a document they see", {"200": schemas.Document},
                     body=schemas.Removal),
    },
    "/documents/{document_id}/content": {
        "parameters": [id_param("document_id")],
        "get": Op("Download a document (audited; 404 once it is removed); streamed a chunk at a time, each "
                  "decrypted and verified before it is sent", {"200": schemas.content_response()}),
    },
})
