"""WitnessContact: one contact with a witness (or someone for them), its summary encrypted at rest.

The attendance outcome lives on court's EventWitness (it belongs to the witness's requirement at
an event); this package holds the rule that records it.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..crypto import EncryptedText
from ..db import UTCDateTime, utc_now
from ..enums import LabelledEnum
from ..extensions import db


class Channel(LabelledEnum):
    CALL = "call"
    VISIT = "visit"
    MESSAGE = "message"
    LETTER = "letter"
    COURT_DAY = "court_day"


class Counterpart(LabelledEnum):
    """Whom the contact was with: the witness, or someone speaking for or about them."""

    WITNESS = "witness", "the witness"
    GUARDIAN = "guardian", "the guardian"
    FAMILY = "family", "a family member"
    LAWYER = "lawyer", "the witness's lawyer"
    SUPPORT_ORGANISATION = "support_organisation", "a support organisation"
    OTHER = "other", "someone else"


class WitnessContact(db.Model):
    """A contact with a witness. Every field but the ids is in the `contact` field group (the
    summary says how the witness was reached and what they said); the summary is a Fernet token
    at rest, like the witness's own contact details."""

    __tablename__ = "witness_contacts"
    __audit_type__ = "witness_contact"
    __table_args__ = (
        # The contact page and the API list a witness's contacts newest first, a page at a time.
        sa.Index("ix_witness_contacts_witness_occurred", "witness_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The zone the time was given in (the court's, where the witness has a case), to show it back.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    channel: Mapped[str] = mapped_column(sa.String(20))
    counterpart: Mapped[str] = mapped_column(sa.String(30), default=Counterpart.WITNESS)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    interpreter_language: Mapped[str | None] = mapped_column(sa.String(35))
    interpreter_name: Mapped[str] = mapped_column(sa.String(200), default="")
    summary: Mapped[str] = mapped_column(EncryptedText)
    follow_up_on: Mapped[date | None]
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    staff = relationship("User", foreign_keys=[staff_id])
    task = relationship("Task")

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    @property
    def channel_words(self) -> str:
        return Channel.words_of(self.channel)

    @property
    def counterpart_words(self) -> str:
        return Counterpart.words_of(self.counterpart)

    @property
    def interpreted(self) -> bool:
        return bool(self.interpreter_language)

    def __repr__(self) -> str:
        return f"<WitnessContact {self.id} witness={self.witness_id} {self.channel}>"
