"""The rules of documents: what may be uploaded, by whom, to what and in which field group; and
reading one back, audited, a chunk at a time."""

from __future__ import annotations

import re
import struct
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app

from .. import audit, crypto
from ..db import utc_now
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..permissions import FieldGroup, Permission, has_permission
from . import filetypes
from .models import DEFAULT_GROUPS, AttachedTo, Document, DocumentChunk
from .queries import Target, can_see_document, may_remove, target_groups

if TYPE_CHECKING:
    from ..auth.models import User

# Each chunk is encrypted on its own: a download holds one decrypted chunk in memory at a time.
CHUNK_BYTES = 256 * 1024
# Inside each chunk's encryption, before its bytes: the document id, the chunk's place and the
# number of chunks (Fernet has no associated data, so the binding travels in the plaintext).
_HEADER = struct.Struct(">QII")
MAX_NAME_LENGTH = 200
MAX_REASON_LENGTH = 2000


class DocumentDamaged(RuntimeError):
    """A stored document's chunks are missing, out of place or from another document."""


def size_words(size: int) -> str:
    """1.5 MB, 340 KB, 12 bytes: how a size is shown."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def display_name(raw: str | None, kind: filetypes.Kind) -> str:
    """The uploaded name as display text: no folders, no control characters, at most 200
    characters, and ending in the extension of what the content really is ("order.exe" that is a
    PDF becomes "order.exe.pdf", so no program opens it for what its name claimed)."""
    name = re.split(r"[/\\]", unicodedata.normalize("NFC", raw or ""))[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".").strip()
    extensions = (kind.extension, ".jpeg") if kind.name == "jpeg" else (kind.extension,)
    stem = name[: MAX_NAME_LENGTH - 6] or "document"
    return stem if stem.lower().endswith(extensions) else stem + kind.extension


def upload_document(
    user: User, target: Target, *, data: bytes, name: str | None, field_group: str | None = None
) -> Document:
    """Keep an uploaded file, encrypted, attached to `target`, in `field_group` (the target's default
    when none is chosen). Refused, with nothing stored: a file over DOCUMENT_MAX_BYTES or not of an
    accepted kind by its content, and a group the uploader does not see themselves."""
    if not has_permission(user, Permission.DOCUMENT_UPLOAD):
        raise NotFound()
    seen = target_groups(user, target)
    if not seen:
        raise NotFound()
    errors: dict[str, str] = {}
    group = field_group or DEFAULT_GROUPS[AttachedTo(target.attached_to)]
    if group not in set(FieldGroup):
        errors["field_group"] = "Choose one of the field groups."
    elif group not in seen:
        errors["field_group"] = (f"You do not see the {group.replace('_', ' ')} field group here yourself, so you "
                                 "cannot file a document under it. Choose a group you see.")
    limit = int(current_app.config["DOCUMENT_MAX_BYTES"])
    kind = None
    if len(data) > limit:
        errors["file"] = f"The file is {size_words(len(data))}: the limit is {size_words(limit)}."
    else:
        try:
            kind = filetypes.identify(data)
        except filetypes.Unsupported as refusal:
            errors["file"] = str(refusal)
    if errors or kind is None:
        raise ValidationFailed(errors, "The document was not stored: " + " ".join(errors.values()))
    count = max(1, -(-len(data) // CHUNK_BYTES))
    document = Document(
        attached_to=target.attached_to, witness_id=target.witness_id, case_id=target.case_id,
        aid_id=target.object_id if target.attached_to == AttachedTo.AID else None,
        outcome_id=target.object_id if target.attached_to == AttachedTo.OUTCOME else None,
        impact_statement_id=target.object_id if target.attached_to == AttachedTo.IMPACT_STATEMENT else None,
        field_group=group, name=display_name(name, kind), kind=kind.name, content_type=kind.content_type,
        size=len(data), chunk_count=count, uploaded_by_id=user.id,
    )
    db.session.add(document)
    db.session.flush()  # the id goes into every chunk's encrypted header
    ring = crypto.keyring()
    for seq in range(count):
        piece = data[seq * CHUNK_BYTES:(seq + 1) * CHUNK_BYTES]
        db.session.add(DocumentChunk(document_id=document.id, seq=seq,
                                     data=ring.encrypt_bytes(_HEADER.pack(document.id, seq, count) + piece)))
    db.session.flush()
    audit.record("document.upload", document, actor=user, details={
        "attached_to": target.attached_to, "object_id": target.object_id, "case_id": target.case_id,
        "kind": kind.name, "size": len(data), "field_group": group,
    })
    return document


def remove_document(user: User, document: Document, *, reason: str) -> Document:
    """Withdraw a document: its encrypted content is deleted, so it can never be downloaded again,
    and its row stays as a tombstone saying who removed it, when and why. Audited. Refused: a
    document `user` does not see (not found), one they may not remove, one already removed, and
    an empty reason."""
    if not can_see_document(user, document):
        raise NotFound()
    if not may_remove(user, document):
        raise ValidationFailed({"reason": "Only a liaison officer or the person who uploaded it may remove "
                                          "this document."}, "The document was not removed.")
    if document.removed:
        raise Conflict("This document was removed already.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why the document is removed."}, "The document was not removed.")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed({"reason": f"At most {MAX_REASON_LENGTH} characters."}, "The document was not removed.")
    db.session.execute(sa.delete(DocumentChunk).where(DocumentChunk.document_id == document.id))
    document.removed_at, document.removed_by_id, document.removal_reason = utc_now(), user.id, reason
    db.session.flush()
    db.session.expire(document, ["chunks"])
    audit.record("document.remove", document, actor=user, details={
        "field_group": document.field_group, "kind": document.kind, "size": document.size, "reason": reason,
    })
    return document


def read_document(user: User, document: Document, *, via: str) -> Iterator[bytes]:
    """Audit the download now (the caller commits before the first byte goes out) and give the
    content as an iterator of decrypted chunks. The caller has checked that `user` may see it."""
    audit.record("document.download", document, actor=user,
                 details={"field_group": document.field_group, "kind": document.kind, "via": via})
    return content(document.id, document.chunk_count)


def content(document_id: int, chunk_count: int) -> Iterator[bytes]:
    """The document's bytes, one chunk read, decrypted and checked at a time.

    Fernet authenticates a whole token, so the unit of streaming is the chunk: nothing is sent
    from a chunk before all of it has been verified, and each chunk's header proves it belongs
    here, in this place, of this many. A damaged document stops the stream where the damage is.

    The server sends the body after the request has ended, so each chunk is read in an app context
    of its own, opened and closed around the read: none is held open between two chunks."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def chunks() -> Iterator[bytes]:
        for seq in range(chunk_count):
            with app.app_context():
                piece = _chunk(document_id, seq, chunk_count)
            yield piece

    return chunks()


def _chunk(document_id: int, seq: int, chunk_count: int) -> bytes:
    raw = db.session.execute(sa.select(DocumentChunk.data).where(
        DocumentChunk.document_id == document_id, DocumentChunk.seq == seq)).scalar_one_or_none()
    if raw is None:
        raise DocumentDamaged(f"document {document_id} has no chunk {seq}")
    plain = crypto.decrypt_bytes(bytes(raw))
    if _HEADER.unpack(plain[:_HEADER.size]) != (document_id, seq, chunk_count):
        raise DocumentDamaged(f"chunk {seq} of document {document_id} is not in its place")
    return plain[_HEADER.size:]
