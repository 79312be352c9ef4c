"""Ledger tables: benefit entries (append-only, hash-chained), the chain head, signed checkpoints,
verification runs, concerns of misuse and records of disclosure to the defence.

Entries and checkpoints can never be changed or deleted: the database refuses it with triggers
(created with the table, and by the migration), and the ORM refuses it before anything is sent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, relationship, synonym

from .. import append_only
from ..db import UTCDateTime, utc_now
from ..extensions import db


class BenefitKind(StrEnum):
    ACCOMMODATION = "accommodation"
    VISA_OR_STAY_PERMIT = "visa_or_stay_permit"
    TRAVEL = "travel"
    SUBSISTENCE = "subsistence"
    MEDICAL = "medical"
    PSYCHOLOGICAL = "psychological"
    LEGAL_AID = "legal_aid"
    PHONE_OR_COMMUNICATION = "phone_or_communication"
    EDUCATION_OR_TRAINING = "education_or_training"
    LIVELIHOOD_GRANT = "livelihood_grant"
    CHILDCARE = "childcare"
    OTHER = "other"


class CorrectionType(StrEnum):
    REVERSAL = "reversal"  # the earlier entry did not happen (or was recorded in error): amount negated
    ADJUSTMENT = "adjustment"  # the earlier entry's amount was wrong: this entry carries the difference


GENESIS_HASH = "0" * 64


class BenefitEntry(db.Model):
    """One benefit given to a witness, or a correction of an earlier one. Never updated or deleted.

    `id` is the gapless sequence number of the chain (assigned from the ledger head, not by the
    database), and `hash = SHA-256(prev_hash ‖ canonical serialisation)` (see chain.py).
    """

    __tablename__ = "benefit_entries"
    __audit_type__ = "benefit"
    __table_args__ = (
        sa.CheckConstraint("id > 0", name="sequence_positive"),
        sa.Index("ix_benefit_entries_witness_provided", "witness_id", "provided_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    sequence = synonym("id")
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    description: Mapped[str] = mapped_column(sa.Text)
    # Signed: corrections carry negative amounts. Null for non-monetary benefits.
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    provided_on: Mapped[date]
    provided_until: Mapped[date | None]
    provider: Mapped[str] = mapped_column(sa.String(200))
    rationale: Mapped[str] = mapped_column(sa.Text)
    authorised_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    entered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("benefit_entries.id"), index=True)
    correction_type: Mapped[str | None] = mapped_column(sa.String(20))
    correction_reason: Mapped[str | None] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    witness = relationship("Witness")
    authorised_by = relationship("User", foreign_keys=[authorised_by_id])
    entered_by = relationship("User", foreign_keys=[entered_by_id])
    corrects: Mapped[BenefitEntry | None] = relationship(remote_side=[id], foreign_keys=[corrects_id])

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    @property
    def is_correction(self) -> bool:
        return self.corrects_id is not None

    def __repr__(self) -> str:
        return f"<BenefitEntry #{self.id} witness={self.witness_id} {self.kind}>"


class LedgerHead(db.Model):
    """The one row holding the chain's last sequence and hash.

    Every append updates this row FIRST, which takes SQLite's write lock or PostgreSQL's row lock,
    so two writers can never read the same previous hash and fork the chain; reading it is O(1).
    """

    __tablename__ = "ledger_head"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    sequence: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(sa.String(64), default=GENESIS_HASH)

    def __repr__(self) -> str:
        return f"<LedgerHead #{self.sequence}>"


class LedgerCheckpoint(db.Model):
    """(sequence, head hash) signed with an HMAC key kept outside the database. Never changed."""

    __tablename__ = "ledger_checkpoints"
    __audit_type__ = "ledger_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence: Mapped[int]
    head_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Which key signed it (a fingerprint, not the key), so a rotated key is told apart from a forgery.
    key_id: Mapped[str] = mapped_column(sa.String(16))
    signature: Mapped[str] = mapped_column(sa.String(64))

    def __repr__(self) -> str:
        return f"<LedgerCheckpoint {self.id} #{self.sequence}>"


class VerificationRun(db.Model):
    """The result of one walk of the chain and checkpoints, shown to admins."""

    __tablename__ = "ledger_verification_runs"
    __audit_type__ = "ledger_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    ok: Mapped[bool]
    entries_checked: Mapped[int] = mapped_column(default=0)
    checkpoints_checked: Mapped[int] = mapped_column(default=0)
    first_broken_sequence: Mapped[int | None]
    message: Mapped[str] = mapped_column(sa.Text, default="")
    trigger: Mapped[str] = mapped_column(sa.String(20), default="cli")
    run_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<VerificationRun {self.id} ok={self.ok}>"


class BenefitConcern(db.Model):
    """A concern of misuse or abuse of support, against an entry or a witness, until resolved."""

    __tablename__ = "benefit_concerns"
    __audit_type__ = "benefit_concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("benefit_entries.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    raised_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(sa.Text)

    witness = relationship("Witness")
    entry = relationship(BenefitEntry)
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def __repr__(self) -> str:
        return f"<BenefitConcern {self.id} witness={self.witness_id} open={self.is_open}>"


class Disclosure(db.Model):
    """The date a schedule (of a witness or of a case) was disclosed to the defence."""

    __tablename__ = "benefit_disclosures"
    __audit_type__ = "benefit_disclosure"
    __table_args__ = (
        sa.CheckConstraint("(witness_id IS NULL) <> (case_id IS NULL)", name="one_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int | None] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    disclosed_on: Mapped[date]
    # The highest entry sequence the disclosed schedule contained: later entries are undisclosed.
    up_to_sequence: Mapped[int] = mapped_column(default=0)
    checkpoint_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_checkpoints.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    recorded_by = relationship("User")

    @property
    def audit_witness_id(self) -> int | None:
        return self.witness_id

    def __repr__(self) -> str:
        return f"<Disclosure {self.id} on {self.disclosed_on}>"


# ---- the database refuses changes ---------------------------------------------------------------

APPEND_ONLY_TABLES = ("benefit_entries", "ledger_checkpoints")
_MESSAGE = "record a correction instead"
_FUNCTION = "ledger_refuse_change"


def trigger_ddl(dialect: str, table: str) -> list[str]:
    if dialect == "sqlite":
        return append_only.sqlite_ddl(table, f"{table} is append-only: {_MESSAGE}")
    return append_only.postgres_ddl(table, _FUNCTION, _MESSAGE)


drop_trigger_ddl = append_only.drop_ddl

for _table in (BenefitEntry.__table__, LedgerCheckpoint.__table__):
    append_only.protect(_table, function=_FUNCTION, message=_MESSAGE)


# ---- and so does the ORM -------------------------------------------------------------------------


class LedgerImmutable(RuntimeError):
    """A code path tried to change or delete a ledger entry or checkpoint: a bug, never user input."""


_IMMUTABLE = (BenefitEntry, LedgerCheckpoint)


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, _IMMUTABLE):
            raise LedgerImmutable(f"{obj!r} cannot be deleted: record a correction instead")
    for obj in session.dirty:
        if isinstance(obj, _IMMUTABLE) and session.is_modified(obj, include_collections=False):
            raise LedgerImmutable(f"{obj!r} cannot be changed: record a correction instead")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    for mapper in state.all_mappers:
        if mapper.class_ in _IMMUTABLE:
            raise LedgerImmutable(f"{mapper.class_.__name__} rows cannot be updated or deleted")
