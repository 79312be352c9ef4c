"""CustodyEvent per defendant with its BailConditions (both append-only), and Enrolment."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import append_only
from ..db import UTCDateTime, utc_now
from ..enums import LabelledEnum
from ..extensions import db


class EventKind(LabelledEnum):
    ARRESTED = "arrested"
    REMANDED = "remanded", "remanded in custody"
    BAILED = "bailed", "released on bail"
    BAIL_VARIED = "bail_varied", "bail conditions varied"
    BAIL_BREACHED = "bail_breached", "bail breached"
    WARRANT_ISSUED = "warrant_issued", "warrant issued: at large"
    REARRESTED = "rearrested", "re-arrested"
    CHARGES_DROPPED = "charges_dropped", "charges dropped or discontinued"
    ACQUITTED = "acquitted", "released after acquittal"
    SENTENCED = "sentenced", "sentenced to custody"
    TRANSFERRED = "transferred"
    TEMPORARY_RELEASE = "temporary_release", "on temporary release"
    PAROLE_HEARING = "parole_hearing", "parole or licence hearing scheduled"
    RELEASED = "released", "released on licence or at sentence end"
    ESCAPED = "escaped", "escaped: at large"
    RECALLED = "recalled", "recalled to custody"
    DEPORTED = "deported", "deported or removed"


# What each event leaves the defendant as (the `custody_status` on the defendant); a scheduled
# hearing changes nothing.
STATUS_AFTER = {
    EventKind.ARRESTED: "remanded",
    EventKind.REMANDED: "remanded",
    EventKind.BAILED: "bailed",
    EventKind.BAIL_VARIED: "bailed",
    EventKind.BAIL_BREACHED: "bailed",
    EventKind.WARRANT_ISSUED: "at_large",
    EventKind.REARRESTED: "remanded",
    EventKind.CHARGES_DROPPED: "released",
    EventKind.ACQUITTED: "released",
    EventKind.SENTENCED: "sentenced",
    EventKind.TRANSFERRED: "sentenced",
    EventKind.TEMPORARY_RELEASE: "temporary_release",
    EventKind.RELEASED: "released",
    EventKind.ESCAPED: "at_large",
    EventKind.RECALLED: "sentenced",
    EventKind.DEPORTED: "removed",
}

# The words as a mapping, as the custody form reads them.
WORDS = EventKind.word_map()

# Events that carry bail conditions.
BAIL_KINDS = frozenset({EventKind.BAILED, EventKind.BAIL_VARIED})


class ConditionKind(LabelledEnum):
    NO_CONTACT = "no_contact", "no contact with"  # with a named witness of the case (by reference)
    EXCLUSION_ZONE = "exclusion_zone", "must not enter"
    CURFEW = "curfew"
    REPORTING = "reporting", "must report"
    PASSPORT_SURRENDERED = "passport_surrendered", "passport surrendered"
    RESIDENCE = "residence", "must live at"


CONDITION_WORDS = ConditionKind.word_map()  # the words as a mapping
# Conditions that protect a witness and are told to them; the others do not concern them.
PROTECTIVE = frozenset({ConditionKind.NO_CONTACT, ConditionKind.EXCLUSION_ZONE})


class CustodyEvent(db.Model):
    """One thing that happened to a defendant's custody. Never edited: a correction is a new event
    whose `corrects_id` names the wrong one."""

    __tablename__ = "custody_events"
    __audit_type__ = "custody_event"
    __table_args__ = (sa.Index("ix_custody_events_defendant_occurred", "defendant_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    defendant_id: Mapped[int] = mapped_column(sa.ForeignKey("defendants.id"))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    learned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(sa.String(200))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # Sentenced: the expected release (sentence end); temporary release: the day it starts; released
    # on licence: the licence end. Indexed: the sweep looks for the dates coming up.
    release_date: Mapped[date | None] = mapped_column(index=True)
    # Parole or licence hearing scheduled: its date.
    hearing_on: Mapped[date | None] = mapped_column(index=True)
    # Indexed: whether an entry still stands (no later entry corrects it) is asked for every entry read.
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("custody_events.id"), index=True)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    conditions: Mapped[list[BailCondition]] = relationship(back_populates="event", order_by="BailCondition.id")
    defendant = relationship("Defendant")
    entered_by = relationship("User")

    @property
    def words(self) -> str:
        return EventKind.words_of(self.kind, self.kind.replace("_", " "))

    def __repr__(self) -> str:
        return f"<CustodyEvent {self.id} defendant={self.defendant_id} {self.kind}>"


class BailCondition(db.Model):
    """One condition of a bail decision; no-contact names a witness of the case by id."""

    __tablename__ = "bail_conditions"
    __audit_type__ = "bail_condition"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("custody_events.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    witness_id: Mapped[int | None] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text, default="")

    event: Mapped[CustodyEvent] = relationship(back_populates="conditions")
    witness = relationship("Witness")

    @property
    def protective(self) -> bool:
        return self.kind in PROTECTIVE

    def __repr__(self) -> str:
        return f"<BailCondition {self.id} event={self.event_id} {self.kind}>"


_MESSAGE = "record a correction as a new custody event instead"
for _table in (CustodyEvent.__table__, BailCondition.__table__):
    append_only.protect(_table, function="custody_refuse_change", message=_MESSAGE)


class Enrolment(db.Model):
    """Whether a witness keeps receiving offender notices after their journey in the case closed.

    No row means enrolled (the default). Opting out is honoured at once."""

    __tablename__ = "enrolments"
    __audit_type__ = "enrolment"
    __table_args__ = (sa.UniqueConstraint("witness_id", "case_id", name="uq_enrolments_witness_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    enrolled: Mapped[bool] = mapped_column(default=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    def __repr__(self) -> str:
        return f"<Enrolment witness={self.witness_id} case={self.case_id} enrolled={self.enrolled}>"


class ReminderKind(StrEnum):
    RELEASE = "release"  # a release date approaching: the witnesses told, their officers plan safety
    HEARING = "hearing"  # a parole or licence hearing approaching: the officers plan safety
    RELEASED = "released"  # a release date reached: the officers check in


class CustodyReminder(db.Model):
    """A reminder the notifications sweep raised from a defendant's known dates (custody entries,
    and for a release date reached also the outcome's proposed release date), kept so each is
    raised once, also when two sweeps run at once (the unique key decides who raises it)."""

    __tablename__ = "custody_reminders"
    __table_args__ = (
        sa.UniqueConstraint("defendant_id", "kind", "days", "falls_on", name="uq_custody_reminders_defendant_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    defendant_id: Mapped[int] = mapped_column(sa.ForeignKey("defendants.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    days: Mapped[int]  # how many days before the date (0: the date reached)
    falls_on: Mapped[date]  # the release or hearing date
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    def __repr__(self) -> str:
        return f"<CustodyReminder defendant={self.defendant_id} {self.kind} {self.days}d {self.falls_on}>"
