"""Cases, defendants, case staff, and journeys (a witness in a case) with their transitions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utc_now
from ..extensions import db
from ..witnesses.models import Witness


class Stage(StrEnum):
    PRE_TRIAL = "pre_trial"
    TRIAL = "trial"
    POST_TRIAL = "post_trial"
    CLOSED = "closed"


STAGE_ORDER = [Stage.PRE_TRIAL, Stage.TRIAL, Stage.POST_TRIAL, Stage.CLOSED]
# Stages that need a current risk assessment made for that stage before the journey enters them.
ASSESSED_STAGES = frozenset({Stage.PRE_TRIAL, Stage.TRIAL, Stage.POST_TRIAL})


class CustodyStatus(StrEnum):
    REMANDED = "remanded"
    BAILED = "bailed"
    AT_LARGE = "at_large"
    SENTENCED = "sentenced"
    # Set by the custody history (custody/): after release, temporary release, removal.
    RELEASED = "released"
    TEMPORARY_RELEASE = "temporary_release"
    REMOVED = "removed"


class CaseRole(StrEnum):
    PROSECUTOR = "prosecutor"
    LIAISON_OFFICER = "liaison_officer"


class Case(db.Model):
    __tablename__ = "cases"
    __audit_type__ = "case"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(60), unique=True)
    court_name: Mapped[str] = mapped_column(sa.String(200))
    court_timezone: Mapped[str] = mapped_column(sa.String(64))
    offence_type: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    defendants: Mapped[list[Defendant]] = relationship(back_populates="case", order_by="Defendant.id")
    assignments: Mapped[list[CaseAssignment]] = relationship(back_populates="case")
    journeys: Mapped[list[Journey]] = relationship(back_populates="case", order_by="Journey.id")

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.reference}>"


class Defendant(db.Model):
    __tablename__ = "defendants"
    __audit_type__ = "defendant"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    custody_status: Mapped[str] = mapped_column(sa.String(20))

    case: Mapped[Case] = relationship(back_populates="defendants")

    def __repr__(self) -> str:
        return f"<Defendant {self.id} case={self.case_id} {self.custody_status}>"


class CaseAssignment(db.Model):
    """A prosecutor or liaison officer assigned to a case; grants need-to-know on its witnesses."""

    __tablename__ = "case_assignments"
    __audit_type__ = "case_assignment"
    __table_args__ = (sa.Index("ix_case_assignments_user_case", "user_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="assignments")
    user = relationship("User")

    def __repr__(self) -> str:
        return f"<CaseAssignment {self.id} case={self.case_id} user={self.user_id} {self.role}>"


class Journey(db.Model):
    __tablename__ = "journeys"
    __audit_type__ = "journey"
    __table_args__ = (sa.UniqueConstraint("witness_id", "case_id", name="uq_journeys_witness_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(20), default=Stage.PRE_TRIAL)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    witness: Mapped[Witness] = relationship()
    case: Mapped[Case] = relationship(back_populates="journeys")
    transitions: Mapped[list[JourneyTransition]] = relationship(
        back_populates="journey", order_by="JourneyTransition.at, JourneyTransition.id"
    )

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    def __repr__(self) -> str:
        return f"<Journey {self.id} witness={self.witness_id} case={self.case_id} {self.stage}>"


class JourneyTransition(db.Model):
    __tablename__ = "journey_transitions"
    __audit_type__ = "journey_transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(sa.ForeignKey("journeys.id"), index=True)
    from_stage: Mapped[str | None] = mapped_column(sa.String(20))
    to_stage: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Entering trial inside the reflection period needs an explicit, audited reason.
    override_reason: Mapped[str | None] = mapped_column(sa.Text)

    journey: Mapped[Journey] = relationship(back_populates="transitions")
    actor = relationship("User")

    def __repr__(self) -> str:
        return f"<JourneyTransition {self.id} {self.from_stage}->{self.to_stage}>"
