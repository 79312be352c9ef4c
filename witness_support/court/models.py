"""Court events, with their change history, required witnesses and attendance."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utc_now
from ..enums import LabelledEnum
from ..extensions import db


class EventKind(StrEnum):
    FAMILIARISATION_VISIT = "familiarisation_visit"
    MENTION = "mention"
    PRE_TRIAL_HEARING = "pre_trial_hearing"
    TRIAL_DAY = "trial_day"
    VERDICT = "verdict"
    SENTENCING = "sentencing"
    APPEAL_HEARING = "appeal_hearing"
    PAROLE_HEARING = "parole_hearing"


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    MOVED = "moved"
    CANCELLED = "cancelled"
    HELD = "held"


# A moved event is still going ahead, at its new time.
OPEN_EVENT_STATUSES = frozenset({EventStatus.SCHEDULED, EventStatus.MOVED})


class CourtEvent(db.Model):
    """One sitting, visit or hearing.

    `revision` and `updated_at` change together, exactly when something a calendar subscriber
    would notice changes (time, place, status): the calendar feed uses them as SEQUENCE and DTSTAMP.
    """

    __tablename__ = "court_events"
    __audit_type__ = "court_event"
    __table_args__ = (
        # "Next court date" per case and across cases reads a handful of index entries.
        sa.Index("ix_court_events_case_starts", "case_id", "starts_at"),
        # One kind of a case's events (readiness: its first trial day, a familiarisation visit held).
        sa.Index("ix_court_events_case_kind_starts", "case_id", "kind", "starts_at"),
        # The end too, so that a window of time skips the events already over inside the index.
        sa.Index("ix_court_events_starts_ends", "starts_at", "ends_at"),
        # The readiness dashboard of a broad caseload reads upcoming trial days in this order; the end
        # and the status are in the index so that the days already over are skipped inside it.
        sa.Index("ix_court_events_kind_starts_ends", "kind", "starts_at", "ends_at", "status"),
        # Last line of defence behind the operations' checks; the calendar feed relies on both.
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    court_name: Mapped[str] = mapped_column(sa.String(200))
    room: Mapped[str] = mapped_column(sa.String(100), default="")
    remote_link: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(20), default=EventStatus.SCHEDULED)
    interpreter_language: Mapped[str | None] = mapped_column(sa.String(35))
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    case = relationship("Case")
    required: Mapped[list[EventWitness]] = relationship(
        back_populates="event", order_by="EventWitness.id", cascade="all, delete-orphan"
    )
    changes: Mapped[list[CourtEventChange]] = relationship(
        back_populates="event", order_by="CourtEventChange.at, CourtEventChange.id"
    )
    attendance: Mapped[list[Attendance]] = relationship(back_populates="event", order_by="Attendance.id")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_EVENT_STATUSES

    def __repr__(self) -> str:
        return f"<CourtEvent {self.id} case={self.case_id} {self.kind} {self.status} rev={self.revision}>"


class AttendanceOutcome(LabelledEnum):
    """How a required witness's attendance went (recorded once the event has begun)."""

    ATTENDED = "attended"
    GAVE_EVIDENCE = "gave_evidence"
    DID_NOT_ATTEND = "did_not_attend"
    EXCUSED = "excused"


class EventWitness(db.Model):
    """A witness required at an event; a reflection-period or date-to-avoid override is kept with the
    requirement, and so is how the witness's attendance went."""

    __tablename__ = "court_event_witnesses"
    __table_args__ = (sa.UniqueConstraint("event_id", "witness_id", name="uq_court_event_witnesses_event_witness"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("court_events.id"))
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    reflection_override_reason: Mapped[str | None] = mapped_column(sa.Text)
    avoid_override_reason: Mapped[str | None] = mapped_column(sa.Text)
    outcome: Mapped[str | None] = mapped_column(sa.String(20))
    outcome_reason: Mapped[str | None] = mapped_column(sa.Text)
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    event: Mapped[CourtEvent] = relationship(back_populates="required")
    witness = relationship("Witness")
    outcome_recorded_by = relationship("User", foreign_keys=[outcome_recorded_by_id])

    @property
    def outcome_words(self) -> str:
        return AttendanceOutcome.words_of(self.outcome, self.outcome or "")

    def __repr__(self) -> str:
        return f"<EventWitness event={self.event_id} witness={self.witness_id}>"


class CourtEventChange(db.Model):
    """The history of an event: created, moved, cancelled, held, details changed — who, when, why."""

    __tablename__ = "court_event_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("court_events.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(20))
    old_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    old_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    old_status: Mapped[str | None] = mapped_column(sa.String(20))
    new_status: Mapped[str] = mapped_column(sa.String(20))
    revision: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    event: Mapped[CourtEvent] = relationship(back_populates="changes")
    actor = relationship("User")

    def __repr__(self) -> str:
        return f"<CourtEventChange {self.id} event={self.event_id} {self.action}>"


class Attendance(db.Model):
    """A support person attending an event in support of one witness."""

    __tablename__ = "court_event_attendance"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "witness_id", "user_id", name="uq_court_event_attendance_event_witness_user"),
        sa.Index("ix_court_event_attendance_user", "user_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("court_events.id"))
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # The person's assignment role on the witness when they were booked (interpreter, guardian...).
    role: Mapped[str] = mapped_column(sa.String(20))
    # Set when the person was knowingly double-booked.
    override_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    event: Mapped[CourtEvent] = relationship(back_populates="attendance")
    witness = relationship("Witness")
    user = relationship("User", foreign_keys=[user_id])

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    def __repr__(self) -> str:
        return f"<Attendance {self.id} event={self.event_id} witness={self.witness_id} user={self.user_id}>"
