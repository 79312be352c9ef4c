"""Witnesses, their protected identity, support assignments and risk assessments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..crypto import EncryptedDate, EncryptedText, blind_index, name_tokens
from ..db import UTCDateTime, today_utc, utc_now
from ..extensions import db


class Participation(StrEnum):
    UNDECIDED = "undecided"
    PARTICIPATING = "participating"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


# What each decision means, in one sentence, wherever a page explains it (the witness page's
# "Participation: Undecided" and readiness's reason agree on the word and say what it means).
PARTICIPATION_MEANS = {
    Participation.UNDECIDED: "has not yet decided whether to take part in the prosecution",
    Participation.PARTICIPATING: "takes part in the prosecution",
    Participation.DECLINED: "has declined to take part in the prosecution",
    Participation.WITHDRAWN: "has withdrawn from the prosecution",
}


class AgeAssessment(StrEnum):
    NONE = "none"
    CHILD = "child"
    ADULT = "adult"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


HIGH_RISK_LEVELS = frozenset({RiskLevel.HIGH, RiskLevel.CRITICAL})


class AssignmentRole(StrEnum):
    LIAISON_OFFICER = "liaison_officer"
    SUPPORT_WORKER = "support_worker"
    INTERMEDIARY = "intermediary"
    INTERPRETER = "interpreter"
    GUARDIAN = "guardian"


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class Witness(db.Model):
    __tablename__ = "witnesses"
    __audit_type__ = "witness"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # Protected identity: shown only to people with need to know, every read audited, and
    # encrypted at rest (crypto.py); the name is searchable only through its keyed blind index.
    legal_name: Mapped[str] = mapped_column(EncryptedText)
    legal_name_index: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    date_of_birth: Mapped[date | None] = mapped_column(EncryptedDate)
    contact_details: Mapped[str] = mapped_column(EncryptedText, default="")
    address: Mapped[str] = mapped_column(EncryptedText, default="")
    presumed_child: Mapped[bool] = mapped_column(default=False)
    age_assessment: Mapped[str] = mapped_column(sa.String(10), default=AgeAssessment.NONE)
    gender: Mapped[str] = mapped_column(sa.String(40), default="")
    nationality: Mapped[str] = mapped_column(sa.String(80), default="")
    # ISO 3166-1 alpha-2 (countries.py): nothing goes to an organisation there without a consent naming it.
    country_of_origin: Mapped[str] = mapped_column(sa.String(2), default="")
    preferred_language: Mapped[str] = mapped_column(sa.String(35))
    interpreter_language: Mapped[str | None] = mapped_column(sa.String(35))
    participation: Mapped[str] = mapped_column(sa.String(20), default=Participation.UNDECIDED)
    reflection_start: Mapped[date | None]
    # Indexed: the home page lists who is in a reflection period, soonest end first.
    reflection_end: Mapped[date | None] = mapped_column(index=True)
    # Kept current by record_risk_assessment so lists never scan the assessments.
    current_risk_level: Mapped[str | None] = mapped_column(sa.String(10))
    next_review_on: Mapped[date | None] = mapped_column(index=True)
    # The start of the witness's next open court event, kept current by court/operations.py (and
    # refreshed once it has passed), so "upcoming, by next court date" reads an index, not every event.
    next_court_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Set by the witness's own officer on a high-risk witness: nobody may open this witness by
    # break-glass (breakglass/operations.py); the emergency then goes through that officer.
    no_break_glass: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    risk_assessments: Mapped[list[RiskAssessment]] = relationship(
        back_populates="witness", order_by="RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc()"
    )
    assignments: Mapped[list[WitnessAssignment]] = relationship(back_populates="witness")
    journeys = relationship("Journey", viewonly=True, order_by="Journey.id")
    name_tokens: Mapped[list[WitnessNameToken]] = relationship(
        back_populates="witness", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def audit_witness_id(self) -> int:
        return self.id

    def is_child_on(self, on: date | None = None) -> bool:
        """A proven birth date decides; without one, a presumed child stays a child until an
        age assessment says adult (the presumption of the policy guide, section 2.1)."""
        on = on or today_utc()
        if self.date_of_birth is not None:
            return age_on(self.date_of_birth, on) < 18
        if self.age_assessment == AgeAssessment.ADULT:
            return False
        return self.presumed_child or self.age_assessment == AgeAssessment.CHILD

    @property
    def is_child(self) -> bool:
        return self.is_child_on()

    @property
    def high_risk(self) -> bool:
        return self.current_risk_level in HIGH_RISK_LEVELS

    def in_reflection_period(self, on: date | None = None) -> bool:
        on = on or today_utc()
        if self.reflection_start is None or self.reflection_end is None:
            return False
        return self.reflection_start <= on <= self.reflection_end

    def review_overdue(self, on: date | None = None) -> bool:
        on = on or today_utc()
        return self.next_review_on is not None and self.next_review_on < on

    def __repr__(self) -> str:  # never the name: reprs end up in logs and tracebacks
        return f"<Witness {self.id} {self.reference}>"


@sa.event.listens_for(Witness.legal_name, "set")
def _index_legal_name(target: Witness, value: str | None, oldvalue: object, initiator: object) -> None:
    """Every way of setting the name keeps its blind index in step (search can never go stale)."""
    target.legal_name_index = blind_index(value)
    wanted = name_tokens(value)
    kept = [row for row in target.name_tokens if row.token in wanted]
    have = {row.token for row in kept}
    target.name_tokens = kept + [WitnessNameToken(token=token) for token in sorted(wanted - have)]


class WitnessNameToken(db.Model):
    """One row of the name search index: a truncated keyed hash of one folded token of the
    witness's legal name (crypto.name_tokens). Each value stands for many names: a match is
    only a candidate, confirmed by decrypting the name (witnesses/queries.py)."""

    __tablename__ = "witness_name_tokens"
    __table_args__ = (sa.Index("ix_witness_name_tokens_token", "token", "witness_id"),)

    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)

    witness: Mapped[Witness] = relationship(back_populates="name_tokens")

    def __repr__(self) -> str:
        return f"<WitnessNameToken witness={self.witness_id} {self.token}>"


class WitnessAssignment(db.Model):
    """A person assigned to support a witness; an active assignment grants need-to-know access."""

    __tablename__ = "witness_assignments"
    __audit_type__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    starts_on: Mapped[date] = mapped_column(default=today_utc)
    ends_on: Mapped[date | None]
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    witness: Mapped[Witness] = relationship(back_populates="assignments")
    user = relationship("User", foreign_keys=[user_id])

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    @classmethod
    def active_clause(cls, on: date | sa.BindParameter | None = None) -> sa.ColumnElement[bool]:
        on = today_utc() if on is None else on
        return sa.and_(
            cls.ended_at.is_(None),
            cls.starts_on <= on,
            sa.or_(cls.ends_on.is_(None), cls.ends_on >= on),
        )

    def is_active_on(self, on: date | None = None) -> bool:
        on = on or today_utc()
        return (
            self.ended_at is None
            and self.starts_on <= on
            and (self.ends_on is None or self.ends_on >= on)
        )

    def __repr__(self) -> str:
        return f"<WitnessAssignment {self.id} witness={self.witness_id} user={self.user_id} {self.role}>"


class RiskAssessment(db.Model):
    __tablename__ = "risk_assessments"
    __audit_type__ = "risk_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(20))
    assessed_on: Mapped[date]
    assessor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    level: Mapped[str] = mapped_column(sa.String(10))
    threats: Mapped[str] = mapped_column(sa.Text, default="")
    measures: Mapped[str] = mapped_column(sa.Text, default="")
    next_review_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    witness: Mapped[Witness] = relationship(back_populates="risk_assessments")
    assessor = relationship("User")

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    def __repr__(self) -> str:
        return f"<RiskAssessment {self.id} witness={self.witness_id} {self.stage} {self.level}>"


@dataclass(slots=True)
class JourneyRow:
    stage: str


@dataclass(slots=True)
class WitnessRow:
    """A witness as a list shows it: a plain row of the columns in COLUMNS, with the model's
    child and risk rules (the list pages read rows, not ORM objects: a page is 50 of them)."""

    COLUMNS: ClassVar[tuple] = (
        Witness.id, Witness.reference, Witness.current_risk_level, Witness.next_review_on, Witness.participation,
        Witness.presumed_child, Witness.age_assessment, Witness.date_of_birth, Witness.next_court_at,
    )

    id: int
    reference: str
    current_risk_level: str | None
    next_review_on: date | None
    participation: str
    presumed_child: bool
    age_assessment: str
    date_of_birth: date | None
    next_court_at: datetime | None
    journeys: list[JourneyRow] = field(default_factory=list)

    is_child_on = Witness.is_child_on
    is_child = Witness.is_child
    high_risk = Witness.high_risk
