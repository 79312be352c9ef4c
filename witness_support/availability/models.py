"""DateToAvoid: a single day or a range of days a witness cannot attend, with a reason from a list."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utc_now
from ..enums import LabelledEnum
from ..extensions import db


class AvoidReason(LabelledEnum):
    MEDICAL = "medical"
    RELIGIOUS = "religious", "religious observance"
    EXAMS = "exams"
    CHILDCARE = "childcare"
    OTHER = "other"


# A range longer than this is more likely a typo in the year than a real absence; a witness away
# for longer is a matter for their officer and the court, not a date to avoid.
MAX_RANGE_DAYS = 366


class DateToAvoid(db.Model):
    """Days (in the court's calendar: dates, not instants) the witness has said they cannot attend.

    Removing one keeps the row (removed_at, removed_by) so that the officer can still see what the
    witness once said; only rows not removed warn a scheduler.
    """

    __tablename__ = "dates_to_avoid"
    __audit_type__ = "date_to_avoid"
    __table_args__ = (
        # A schedule check reads the witnesses' rows that end on or after the event's first day.
        sa.Index("ix_dates_to_avoid_witness_last_day", "witness_id", "last_day"),
        sa.CheckConstraint("last_day >= first_day", name="last_day_not_before_first"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"))
    first_day: Mapped[date]
    last_day: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def reason_words(self) -> str:
        return AvoidReason.words_of(self.reason)

    @property
    def days_words(self) -> str:
        """"3 May 2026" or "3 May 2026 to 5 May 2026"."""
        first = self.first_day.strftime("%-d %b %Y")
        return first if self.last_day == self.first_day else f"{first} to {self.last_day.strftime('%-d %b %Y')}"

    def __repr__(self) -> str:
        return f"<DateToAvoid {self.id} witness={self.witness_id} {self.first_day}..{self.last_day}>"
