"""ProtectionPlan (one per witness) and its revisions (append-only), each with its measures."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import append_only
from ..db import UTCDateTime, utc_now
from ..enums import LabelledEnum
from ..extensions import db


class MeasureKind(LabelledEnum):
    RELOCATION = "relocation"
    SAFE_ACCOMMODATION = "safe_accommodation"
    PHONE_CHANGE = "phone_change"
    ESCORT_TO_COURT = "escort_to_court"
    POLICE_ALARM = "police_alarm"
    IDENTITY_PROTECTION = "identity_protection", "identity protection in court"
    CHECK_IN_CALLS = "check_in_calls", "check-in calls"
    OTHER = "other"  # described in the text


class ProtectionPlan(db.Model):
    __tablename__ = "protection_plans"
    __audit_type__ = "protection_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    revisions: Mapped[list[PlanRevision]] = relationship(
        back_populates="plan", order_by="PlanRevision.number.desc()"
    )

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    @property
    def current(self) -> PlanRevision | None:
        return self.revisions[0] if self.revisions else None

    def __repr__(self) -> str:
        return f"<ProtectionPlan {self.id} witness={self.witness_id}>"


class PlanRevision(db.Model):
    """One version of the plan; never edited: the next revision replaces it."""

    __tablename__ = "plan_revisions"
    __audit_type__ = "plan_revision"
    __table_args__ = (sa.UniqueConstraint("plan_id", "number", name="uq_plan_revisions_plan_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("protection_plans.id"))
    number: Mapped[int]
    risk_assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("risk_assessments.id"))
    review_on: Mapped[date]
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    # The task this revision answered ("revise the protection plan", a custody risk review…).
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id"))
    revised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    plan: Mapped[ProtectionPlan] = relationship(back_populates="revisions")
    measures: Mapped[list[PlanMeasure]] = relationship(back_populates="revision", order_by="PlanMeasure.id")
    risk_assessment = relationship("RiskAssessment")
    revised_by = relationship("User")

    def __repr__(self) -> str:
        return f"<PlanRevision {self.id} plan={self.plan_id} #{self.number}>"


class PlanMeasure(db.Model):
    __tablename__ = "plan_measures"
    __audit_type__ = "plan_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_revisions.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    responsible: Mapped[str] = mapped_column(sa.String(200))

    revision: Mapped[PlanRevision] = relationship(back_populates="measures")

    def __repr__(self) -> str:
        return f"<PlanMeasure {self.id} revision={self.revision_id} {self.kind}>"


for _table in (PlanRevision.__table__, PlanMeasure.__table__):
    append_only.protect(_table, function="protection_refuse_change", message="save a new revision instead")
