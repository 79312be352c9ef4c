"""Testimonial aids (special measures): one per witness, case and kind, from need to the court's decision.

The tables keep their names from when aids were part of court support, so moving them here needed
no migration.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utc_now
from ..extensions import db


class AidKind(StrEnum):
    VIDEO_LINK = "video_link"
    SCREEN = "screen"
    CLOSED_COURT = "closed_court"
    SUPPORT_PERSON_PRESENT = "support_person_present"
    PRIOR_EVIDENCE_REUSE = "prior_evidence_reuse"
    REMOTE_LINK_ABROAD = "remote_link_abroad"
    PUBLICATION_RESTRICTION = "publication_restriction"
    RECORDED_INTERVIEW_EVIDENCE_IN_CHIEF = "recorded_interview_evidence_in_chief"
    INTERMEDIARY = "intermediary"
    COMMUNICATION_AID = "communication_aid"


# Proposed automatically for every child witness (policy guide 2.2, child victims and witnesses).
CHILD_AID_KINDS = (
    AidKind.RECORDED_INTERVIEW_EVIDENCE_IN_CHIEF,
    AidKind.VIDEO_LINK,
    AidKind.SUPPORT_PERSON_PRESENT,
)


class AidStatus(StrEnum):
    NEEDED = "needed"
    APPLIED = "applied"
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


OPEN_AID_STATUSES = frozenset({AidStatus.NEEDED, AidStatus.APPLIED})
AID_TRANSITIONS: dict[str, frozenset[str]] = {
    AidStatus.NEEDED: frozenset({AidStatus.APPLIED, AidStatus.WITHDRAWN}),
    AidStatus.APPLIED: frozenset({AidStatus.GRANTED, AidStatus.REFUSED, AidStatus.WITHDRAWN}),
    AidStatus.GRANTED: frozenset(),
    AidStatus.REFUSED: frozenset(),
    AidStatus.WITHDRAWN: frozenset(),
}


class TestimonialAid(db.Model):
    """A special measure for one witness in one case, from need to the court's decision."""

    __test__ = False  # not a pytest test class, despite the name
    __tablename__ = "testimonial_aids"
    __audit_type__ = "aid"
    __table_args__ = (sa.Index("ix_testimonial_aids_witness_case", "witness_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(20), default=AidStatus.NEEDED)
    applied_on: Mapped[date | None]
    decided_on: Mapped[date | None]
    order_reference: Mapped[str | None] = mapped_column(sa.String(100))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    proposed_automatically: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    witness = relationship("Witness")
    case = relationship("Case")
    history: Mapped[list[AidStatusChange]] = relationship(
        back_populates="aid", order_by="AidStatusChange.at, AidStatusChange.id"
    )

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_AID_STATUSES

    def __repr__(self) -> str:
        return f"<TestimonialAid {self.id} witness={self.witness_id} {self.kind} {self.status}>"


class AidStatusChange(db.Model):
    """One step of an aid's lifecycle: who moved it, when, and the note they gave."""

    __tablename__ = "testimonial_aid_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_id: Mapped[int] = mapped_column(sa.ForeignKey("testimonial_aids.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    aid: Mapped[TestimonialAid] = relationship(back_populates="history")
    actor = relationship("User")

    def __repr__(self) -> str:
        return f"<AidStatusChange {self.id} aid={self.aid_id} {self.from_status}->{self.to_status}>"
