"""The API's document resource: what a document is attached to, its field group and its checked
type. The content itself travels as the body of its own route, never inside JSON."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from ..api.openapi import ID
from ..api.schemas import Input, Instant, OneOf, Output, Text, field_groups
from ..permissions import FieldGroup
from .filetypes import KINDS
from .models import AttachedTo


class Document(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("document"))

    id: int
    attached_to: AttachedTo
    witness_id: int | None
    case_id: int | None
    aid_id: int | None
    outcome_id: int | None
    impact_statement_id: int | None
    field_group: OneOf(*FieldGroup)
    name: str
    kind: OneOf(*KINDS)
    content_type: str
    size: int
    uploaded_by_id: int | None
    uploaded_at: Instant
    removed_at: Instant | None = Field(description="When it was removed; null while it is kept")
    removed_by_id: int | None = Field(description="Who removed it")
    removal_reason: str | None = Field(description="Why it was removed")


class Removal(Input):
    """Why a document is removed: kept on its tombstone for everyone who sees it."""

    reason: Text(2000, min_length=1) = Field(description="Why the document is removed")


class DocumentPage(Output):
    items: list[Document]
    next_after: int | None


def upload_body(*owners: str) -> dict[str, Any]:
    """The multipart/form-data body of an upload: the file, and optionally what else it is attached to."""
    properties: dict[str, Any] = {
        "file": {"type": "string", "format": "binary",
                 "description": "PDF, PNG, JPEG, WebP, or an office document (.docx, .xlsx, .pptx, .odt, .ods, "
                                ".odp), judged by its content; at most DOCUMENT_MAX_BYTES (10 MB unless set)."},
        "field_group": {"type": "string", "enum": sorted(str(g) for g in FieldGroup),
                        "description": "Who may see it; left out: the usual group for what it is attached to. "
                                       "Must be a group you see yourself."},
    }
    for owner in owners:
        properties[owner] = {**ID, "description": f"Attach it to this {owner.removesuffix('_id').replace('_', ' ')} "
                                                  "(of the same witness or case) instead."}
    return {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "required": ["file"], "properties": properties}}}}


def content_response() -> dict[str, Any]:
    """The download's answer: the bytes, as the type the content was checked to be."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "description": "The file, streamed (sent a chunk at a time as each is decrypted), as an attachment",
        "headers": {"Content-Disposition": {"schema": {"type": "string"}},
                    "Content-Length": {"schema": {"type": "integer"}}},
        "content": {kind.content_type: binary for kind in KINDS.values()},
    }
