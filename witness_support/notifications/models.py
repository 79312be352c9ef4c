"""Notification preferences per witness and the outbox of notices."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..crypto import EncryptedText
from ..db import UTCDateTime, utc_now
from ..enums import LabelledEnum
from ..extensions import db


class Kind(StrEnum):
    HEARING_SET = "hearing_set"
    HEARING_MOVED = "hearing_moved"
    HEARING_CANCELLED = "hearing_cancelled"
    VERDICT = "verdict"
    SENTENCE = "sentence"
    APPEAL_LODGED = "appeal_lodged"
    APPEAL_OUTCOME = "appeal_outcome"
    RELEASE_UPCOMING = "release_upcoming"
    RELEASED = "released"
    ESCAPED = "escaped"
    RECALLED = "recalled"
    # Custody before and after trial (custody/).
    IN_CUSTODY = "in_custody"
    BAIL = "bail"
    BAIL_BREACHED = "bail_breached"
    AT_LARGE = "at_large"
    CUSTODY_UPDATE = "custody_update"
    PAROLE_HEARING = "parole_hearing"
    DEPORTED = "deported"
    # Remedies: property taken as evidence is ready for the witness to collect.
    PROPERTY_COLLECTABLE = "property_collectable"


# What a witness whose journey closed still hears while enrolled (until the latest sentence end).
AFTER_CASE_KINDS = frozenset({
    Kind.RELEASE_UPCOMING, Kind.PAROLE_HEARING, Kind.RELEASED, Kind.ESCAPED, Kind.RECALLED, Kind.DEPORTED,
})


class Channel(LabelledEnum):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message (says only that there is news)"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person, by the liaison officer"


class Status(StrEnum):
    PENDING = "pending"  # waiting for a sweep (first attempt or a retry)
    SENDING = "sending"  # claimed by one sweep
    AWAITING_OFFICER = "awaiting_officer"  # a letter to print or a visit to make
    SENT = "sent"
    FAILED = "failed"  # gave up, or a claim was abandoned: the officer must act
    CANCELLED = "cancelled"


UNDELIVERED = frozenset({Status.PENDING, Status.SENDING, Status.AWAITING_OFFICER, Status.FAILED})


class NotificationPreference(db.Model):
    """How a witness wants to hear post-trial news, and which contact is safe."""

    __tablename__ = "notification_preferences"
    __audit_type__ = "notification_preference"

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), unique=True)
    channel: Mapped[str] = mapped_column(sa.String(20), default=Channel.IN_PERSON)
    language: Mapped[str] = mapped_column(sa.String(10), default="en")
    # Kinds the witness does not want to hear about (some victims do not want to know).
    opted_out: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # The witness's (or a trusted third party's) contact details: encrypted at rest like the identity.
    email: Mapped[str] = mapped_column(EncryptedText, default="")
    phone: Mapped[str] = mapped_column(EncryptedText, default="")
    postal_address: Mapped[str] = mapped_column(EncryptedText, default="")
    # Only a contact the victim marked safe receives the details; SMS never does.
    contact_is_safe: Mapped[bool] = mapped_column(default=False)
    # The contact belongs to someone else the victim chose (a friend, an NGO worker).
    third_party_name: Mapped[str] = mapped_column(EncryptedText, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    def __repr__(self) -> str:
        return f"<NotificationPreference witness={self.witness_id} {self.channel} {self.language}>"


class Notification(db.Model):
    """One notice in the outbox. The dedup_key makes the same notice impossible to queue twice."""

    __tablename__ = "notifications"
    __audit_type__ = "notification"
    __table_args__ = (
        sa.Index("ix_notifications_status_next_attempt", "status", "next_attempt_at"),
        sa.Index("ix_notifications_status_deadline", "status", "deadline_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    dedup_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # Values for the template (may name the offender): never logged, never in a task or error.
    context: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    triggered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(20), default=Status.PENDING)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Filled when sent: how it went, and whether only the "there is news" form was used.
    channel: Mapped[str | None] = mapped_column(sa.String(20))
    recipient: Mapped[str | None] = mapped_column(sa.String(20))  # witness, guardian, third_party
    language: Mapped[str | None] = mapped_column(sa.String(10))
    language_fallback: Mapped[bool] = mapped_column(default=False)
    minimal: Mapped[bool | None]
    subject: Mapped[str | None] = mapped_column(sa.String(200))
    body: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    last_error: Mapped[str | None] = mapped_column(sa.String(200))
    urgent_task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    witness = relationship("Witness")

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    def overdue(self, now: datetime | None = None) -> bool:
        return self.status in UNDELIVERED and self.deadline_at < (now or utc_now())

    def __repr__(self) -> str:
        return f"<Notification {self.id} witness={self.witness_id} {self.kind} {self.status}>"
