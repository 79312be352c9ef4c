"""Documents and their encrypted content.

A document's bytes live in the database (every app host sees them, with no file store to run or
back up apart from it), cut into chunks that are each encrypted with the identity keys
(crypto.Keyring.encrypt_bytes). Each chunk's plaintext starts with the document id, its place and
the number of chunks, so that chunks moved between documents, reordered or dropped by someone
with write access to the database are refused when the file is read, not served.

The original file name is kept only as encrypted display text; nothing of an upload's name ever
reaches the file system.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..crypto import EncryptedText
from ..db import UTCDateTime, utc_now
from ..extensions import db
from ..permissions import FieldGroup


class AttachedTo(StrEnum):
    WITNESS = "witness"
    AID = "aid"
    IMPACT_STATEMENT = "impact_statement"
    CASE = "case"
    OUTCOME = "outcome"


# Attached to these, a document is the witness's (need-to-know by the witness's field groups);
# attached to the others, it is the case's (for the people on the case; see queries.py).
WITNESS_ATTACHMENTS = frozenset({AttachedTo.WITNESS, AttachedTo.AID, AttachedTo.IMPACT_STATEMENT})

# The field group a document gets when the uploader chooses none: an aid application or court
# order is court logistics; what a witness hands over (a medical letter, a school report) and an
# impact statement say what they need; a case's papers are court logistics of its witnesses.
DEFAULT_GROUPS: dict[AttachedTo, FieldGroup] = {
    AttachedTo.WITNESS: FieldGroup.NEEDS,
    AttachedTo.AID: FieldGroup.COURT_LOGISTICS,
    AttachedTo.IMPACT_STATEMENT: FieldGroup.NEEDS,
    AttachedTo.CASE: FieldGroup.COURT_LOGISTICS,
    AttachedTo.OUTCOME: FieldGroup.COURT_LOGISTICS,
}


class Document(db.Model):
    """One uploaded file: what it is attached to, its field group, and its checked type."""

    __tablename__ = "documents"
    __audit_type__ = "document"
    __table_args__ = (
        sa.CheckConstraint("witness_id IS NOT NULL OR case_id IS NOT NULL", name="attached"),
        sa.Index("ix_documents_witness_uploaded", "witness_id", "id"),
        sa.Index("ix_documents_case_uploaded", "case_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attached_to: Mapped[str] = mapped_column(sa.String(20))
    # The witness for a witness, aid or impact-statement document; the case for a case or outcome
    # document (and, for an aid or statement, the case it belongs to).
    witness_id: Mapped[int | None] = mapped_column(sa.ForeignKey("witnesses.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    # Aids are named by their table only: the documents do not depend on the package that holds them.
    aid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("testimonial_aids.id"), index=True)
    outcome_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outcomes.id"), index=True)
    impact_statement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("impact_statements.id"), index=True)
    field_group: Mapped[str] = mapped_column(sa.String(20))
    # The name it was uploaded under, cleaned of any path, as display text only (encrypted: a file
    # name often says whose it is).
    name: Mapped[str] = mapped_column(EncryptedText)
    kind: Mapped[str] = mapped_column(sa.String(10))  # filetypes.KINDS: pdf, png, docx ...
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    chunk_count: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    # Withdrawn (operations.remove_document): the content is deleted, the row stays as a tombstone
    # saying who removed it, when and why (encrypted: a reason may say whose the file was).
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    removal_reason: Mapped[str | None] = mapped_column(EncryptedText)

    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])
    removed_by = relationship("User", foreign_keys=[removed_by_id])
    chunks: Mapped[list[DocumentChunk]] = relationship(
        back_populates="document", order_by="DocumentChunk.seq", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def audit_witness_id(self) -> int | None:
        return self.witness_id

    @property
    def removed(self) -> bool:
        return self.removed_at is not None

    @property
    def is_witness_document(self) -> bool:
        return self.attached_to in WITNESS_ATTACHMENTS

    def __repr__(self) -> str:  # never the name: reprs end up in logs
        return f"<Document {self.id} {self.attached_to} {self.kind} {self.field_group}>"


class DocumentChunk(db.Model):
    """A piece of a document's content, encrypted on its own (so a download decrypts one at a time)."""

    __tablename__ = "document_chunks"
    __table_args__ = (sa.UniqueConstraint("document_id", "seq", name="uq_document_chunks_document_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    seq: Mapped[int]
    # A Fernet token as raw bytes (crypto.Keyring.encrypt_bytes), never readable without the keys.
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)

    document: Mapped[Document] = relationship(back_populates="chunks")

    def __repr__(self) -> str:
        return f"<DocumentChunk document={self.document_id} {self.seq}>"
