"""A break-glass grant: who opened which witness, why, and until when."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utc_now
from ..extensions import db


class BreakGlassGrant(db.Model):
    """While `until` lies ahead, `user` sees the break-glass groups of `witness`
    (permissions.BREAK_GLASS_GROUPS); afterwards the row stays as the record of it."""

    __tablename__ = "break_glass_grants"
    __audit_type__ = "break_glass_grant"
    # The need-to-know queries ask "a grant of this user on these witnesses that lasts".
    __table_args__ = (sa.Index("ix_break_glass_grants_user_witness", "user_id", "witness_id", "until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    # Shown to the witness's officer and the reviewing supervisor, never in lists or the trail.
    reason: Mapped[str] = mapped_column(sa.Text)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    review_note: Mapped[str] = mapped_column(sa.Text, default="")
    # The supervisor asked to review it (the grantee's, else the witness's officer's).
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id])
    reviewer = relationship("User", foreign_keys=[reviewer_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    witness = relationship("Witness")

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    def lasts(self, now: datetime | None = None) -> bool:
        return self.until > (now or utc_now())

    def __repr__(self) -> str:
        return f"<BreakGlassGrant {self.id} user={self.user_id} witness={self.witness_id}>"
