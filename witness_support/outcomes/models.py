"""Outcomes per defendant with their history, and victim impact statements."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utc_now
from ..extensions import db


class Verdict(StrEnum):
    CONVICTED = "convicted"
    ACQUITTED = "acquitted"
    DISMISSED = "dismissed"
    OTHER = "other"


class SentenceKind(StrEnum):
    IMPRISONMENT = "imprisonment"
    SUSPENDED = "suspended"
    FINE = "fine"
    COMMUNITY = "community"
    OTHER = "other"


class AppealOutcome(StrEnum):
    DISMISSED = "dismissed"
    ALLOWED = "allowed"
    SENTENCE_VARIED = "sentence_varied"
    RETRIAL = "retrial"
    WITHDRAWN = "withdrawn"


class CustodyChange(StrEnum):
    RELEASED = "released"
    RECALLED = "recalled"
    ESCAPED = "escaped"
    TRANSFERRED = "transferred"
    DIED = "died"


class StatementStatus(StrEnum):
    OFFERED = "offered"
    DECLINED = "declined"
    DRAFTING = "drafting"
    SUBMITTED = "submitted"


OPEN_STATEMENT_STATUSES = frozenset({StatementStatus.OFFERED, StatementStatus.DRAFTING})


class Outcome(db.Model):
    """What the court decided about one defendant, kept current; every change is in `changes`."""

    __tablename__ = "outcomes"
    __audit_type__ = "outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    defendant_id: Mapped[int] = mapped_column(sa.ForeignKey("defendants.id"), unique=True)
    verdict: Mapped[str] = mapped_column(sa.String(20))
    charges: Mapped[str] = mapped_column(sa.Text, default="")
    sentence_kind: Mapped[str | None] = mapped_column(sa.String(20))
    sentence_months: Mapped[int | None]
    sentence_details: Mapped[str] = mapped_column(sa.Text, default="")
    sentenced_on: Mapped[date | None]
    earliest_release_date: Mapped[date | None]
    # Indexed: the sweep finds release reminders by a range on this column.
    proposed_release_date: Mapped[date | None] = mapped_column(index=True)
    appeal_deadline: Mapped[date | None]
    appeal_lodged_by: Mapped[str | None] = mapped_column(sa.String(40))
    appeal_lodged_on: Mapped[date | None]
    appeal_outcome: Mapped[str | None] = mapped_column(sa.String(20))
    # The latest custody change after sentence (None while nothing changed).
    custody: Mapped[str | None] = mapped_column(sa.String(20))
    # A compensation or restitution order made with the sentence, for one witness of the case; it
    # opens a claim in the criminal-order route (remedies) and is told in that witness's notices.
    compensation_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    compensation_currency: Mapped[str | None] = mapped_column(sa.String(3))
    compensation_due_on: Mapped[date | None]
    compensation_witness_id: Mapped[int | None] = mapped_column(sa.ForeignKey("witnesses.id"))
    custody_changed_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    case = relationship("Case")
    defendant = relationship("Defendant")
    changes: Mapped[list[OutcomeChange]] = relationship(
        back_populates="outcome", order_by="OutcomeChange.at, OutcomeChange.id"
    )

    def __repr__(self) -> str:
        return f"<Outcome {self.id} case={self.case_id} defendant={self.defendant_id} {self.verdict}>"


class OutcomeChange(db.Model):
    """One recorded change to an outcome: what changed from what to what, by whom and why."""

    __tablename__ = "outcome_changes"
    __audit_type__ = "outcome_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(sa.ForeignKey("outcomes.id"), index=True)
    # verdict, sentence, appeal_lodged, appeal_outcome, custody, release_date, correction
    kind: Mapped[str] = mapped_column(sa.String(30))
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    outcome: Mapped[Outcome] = relationship(back_populates="changes")

    def __repr__(self) -> str:
        return f"<OutcomeChange {self.id} outcome={self.outcome_id} {self.kind}>"


class ReleaseReminder(db.Model):
    """A release-date reminder already raised for an outcome (so the sweep finds each once)."""

    __tablename__ = "release_reminders"
    __table_args__ = (
        sa.UniqueConstraint("outcome_id", "days", "release_date", name="uq_release_reminders_outcome_days_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(sa.ForeignKey("outcomes.id"))
    days: Mapped[int]
    release_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    def __repr__(self) -> str:
        return f"<ReleaseReminder outcome={self.outcome_id} {self.days}d {self.release_date}>"


class ImpactStatement(db.Model):
    """A victim impact statement for one witness in one case."""

    __tablename__ = "impact_statements"
    __audit_type__ = "impact_statement"
    __table_args__ = (sa.UniqueConstraint("witness_id", "case_id", name="uq_impact_statements_witness_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default=StatementStatus.OFFERED)
    # Tied to the sentencing hearing: whoever records or moves it sets these two dates.
    sentencing_date: Mapped[date | None] = mapped_column(index=True)
    due_date: Mapped[date | None]
    text: Mapped[str] = mapped_column(sa.Text, default="")
    # Phrases that read like an opinion on the sentence, found by the last check (for the officer).
    sentence_opinion_warnings: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    reminder_task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    def __repr__(self) -> str:
        return f"<ImpactStatement {self.id} witness={self.witness_id} case={self.case_id} {self.status}>"
