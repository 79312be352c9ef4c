"""InformationGiven, Consent, Organisation, Referral, ServiceNeed and SustainabilityReview.

Table 1 of the policy guide ("Key components of sustainable protection solutions") names the
services; `SERVICES` holds them with their area, and every service field is one of its keys.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..countries import country_name
from ..db import UTCDateTime, utc_now
from ..enums import LabelledEnum
from ..extensions import db


class Topic(LabelledEnum):
    RIGHTS = "rights", "their rights"
    REFLECTION_PERIOD = "reflection_period", "the reflection period"
    COURT_PROCESS = "court_process", "the court process and what testifying involves"
    TESTIMONIAL_AIDS = "testimonial_aids"
    PROTECTION_MEASURES = "protection_measures"
    BENEFITS = "benefits", "benefits, and why they are not a reward for testimony"
    COMPENSATION = "compensation", "compensation routes"
    CONSULAR_ACCESS = "consular_access"
    LEGAL_COUNSEL = "legal_counsel"
    RESIDENCE_OPTIONS = "residence_options"
    NOTICES = "notices", "notices and how to opt out"


# Readiness wants these explained in the witness's own language before the first trial day.
READINESS_TOPICS = (Topic.COURT_PROCESS, Topic.TESTIMONIAL_AIDS)


class Method(LabelledEnum):
    ORAL = "oral", "orally"
    WRITTEN = "written", "in writing"
    BOTH = "both", "orally and in writing"


class Area(LabelledEnum):
    BASIC_NEEDS = "basic_needs", "Basic needs"
    MEDICAL_PSYCHOSOCIAL = "medical_psychosocial", "Medical and psycho-social care"
    ECONOMIC_REINTEGRATION = "economic_reintegration", "Economic reintegration"
    LEGAL = "legal", "Legal support and assistance"
    RETURN = "return", "Family tracing, return and reintegration"


# service code: (area, words). The guide's Table 1, in its order; the last area holds the
# services the guide names around the table (family tracing, assisted return).
SERVICES: dict[str, tuple[Area, str]] = {
    "accommodation": (Area.BASIC_NEEDS, "Continued safe accommodation"),
    "safety_security": (Area.BASIC_NEEDS, "Safety and security measures"),
    "psychological_counselling": (Area.MEDICAL_PSYCHOSOCIAL, "Psychological counselling"),
    "social_counselling": (Area.MEDICAL_PSYCHOSOCIAL, "Social counselling, including family visits"),
    "medical_dental": (Area.MEDICAL_PSYCHOSOCIAL, "Medical and dental care"),
    "family_community_reintegration": (Area.MEDICAL_PSYCHOSOCIAL, "Family and community reintegration"),
    "education": (Area.ECONOMIC_REINTEGRATION, "Education, especially for children"),
    "language_training": (Area.ECONOMIC_REINTEGRATION, "Language training"),
    "vocational_training": (Area.ECONOMIC_REINTEGRATION, "Vocational or skills training"),
    "job_placement": (Area.ECONOMIC_REINTEGRATION, "Job placement assistance"),
    "livelihood_grants": (Area.ECONOMIC_REINTEGRATION, "Livelihood grants and mentoring"),
    "startup_capital": (Area.ECONOMIC_REINTEGRATION, "Financial grants or start-up capital"),
    "legal_counselling": (Area.LEGAL, "Legal counselling"),
    "legal_remedies": (Area.LEGAL, "Criminal complaints and other legal remedies"),
    "compensation_recovery": (Area.LEGAL, "Assistance in recovering compensation"),
    "residence_permit": (Area.LEGAL, "Applying for a stay permit or residency"),
    "non_punishment": (Area.LEGAL, "Representation to discharge crimes committed as a result of trafficking"),
    "family_tracing": (Area.RETURN, "Family tracing"),
    "return_reintegration": (Area.RETURN, "Return and reintegration assistance"),
}


def service_words(code: str) -> str:
    return SERVICES[code][1] if code in SERVICES else code.replace("_", " ")


class OrganisationKind(StrEnum):
    SHELTER = "shelter"
    NGO = "ngo"
    LEGAL_AID = "legal_aid"
    HEALTH = "health"
    LABOUR_INSPECTORATE = "labour_inspectorate"
    EMBASSY = "embassy"
    GOVERNMENT = "government"
    INTERNATIONAL = "international"


class Purpose(LabelledEnum):
    SHARE_WITH_ORGANISATION = "share_with_organisation", "share with an organisation for a service"
    RECEIVE_NOTICES = "receive_notices", "receive notices by a channel"
    CONTACT_FAMILY = "contact_family", "contact a family member"
    SHARE_WITH_CONSULATE = "share_with_consulate", "share with the consulate"
    ANONYMISED_STATISTICS = "anonymised_statistics", "use in anonymised statistics"


# Purposes under which a referral may go (to the organisation, or the consulate, the consent names).
REFERRAL_PURPOSES = frozenset({Purpose.SHARE_WITH_ORGANISATION, Purpose.SHARE_WITH_CONSULATE})


class ReferralStatus(StrEnum):
    PENDING = "pending"  # recorded, not yet sent
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    STOPPED = "stopped"  # its consent was withdrawn before it was sent


# Where a referral may go from each status (answers from the organisation, and their follow-up).
NEXT_STATUSES: dict[str, frozenset[str]] = {
    ReferralStatus.SENT: frozenset({ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.IN_PROGRESS,
                                    ReferralStatus.COMPLETED}),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED,
                                        ReferralStatus.DECLINED}),
    ReferralStatus.IN_PROGRESS: frozenset({ReferralStatus.COMPLETED}),
}


class NeedStatus(StrEnum):
    NEEDED = "needed"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"  # by the witness: their choice, recorded, never a condition of support
    IN_PROGRESS = "in_progress"
    MET = "met"


OPEN_NEED_STATUSES = frozenset({NeedStatus.NEEDED, NeedStatus.OFFERED, NeedStatus.ACCEPTED, NeedStatus.IN_PROGRESS})


class InformationGiven(db.Model):
    """One thing explained to the witness: what, how, in which language, by whom, and what they asked."""

    __tablename__ = "information_given"
    __audit_type__ = "information_given"
    __table_args__ = (sa.Index("ix_information_given_witness_topic", "witness_id", "topic", "given_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"))
    topic: Mapped[str] = mapped_column(sa.String(30))
    method: Mapped[str] = mapped_column(sa.String(10))
    language: Mapped[str] = mapped_column(sa.String(35))
    interpreter: Mapped[str] = mapped_column(sa.String(200), default="")
    given_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    questions: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    given_by = relationship("User", foreign_keys=[given_by_id])

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    @property
    def topic_words(self) -> str:
        return Topic.words_of(self.topic)

    def __repr__(self) -> str:
        return f"<InformationGiven {self.id} witness={self.witness_id} {self.topic}>"


class Organisation(db.Model):
    """An agency around victims: its services from Table 1, its areas, a safe way to reach it, and
    whether it agreed to confidentiality terms. Holds no witness data."""

    __tablename__ = "organisations"
    __audit_type__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    services: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    areas: Mapped[str] = mapped_column(sa.String(500), default="")
    # ISO 3166-1 alpha-2 (countries.py) of the country it works in.
    country_code: Mapped[str] = mapped_column(sa.String(2), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    safe_contact_route: Mapped[str] = mapped_column(sa.Text, default="")
    confidentiality_agreed_on: Mapped[date | None]
    confidentiality_document: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    @property
    def country(self) -> str:
        return country_name(self.country_code)

    @property
    def has_confidentiality_terms(self) -> bool:
        return self.confidentiality_agreed_on is not None and bool(self.confidentiality_document)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind}>"


class Consent(db.Model):
    """What the witness agreed to: a purpose, the field groups that may go, when, how and to whom.
    Withdrawn is final: a new agreement is a new record."""

    __tablename__ = "consents"
    __audit_type__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(30))
    # share_with_organisation / share_with_consulate: the organisation and the service it covers.
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service: Mapped[str | None] = mapped_column(sa.String(40))
    # receive_notices: the channel; contact_family: who.
    detail: Mapped[str] = mapped_column(sa.String(300), default="")
    scope: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    given_how: Mapped[str] = mapped_column(sa.String(10))
    given_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # A child's consent: how the guardian was involved, and how the child's own view was heard.
    guardian_involvement: Mapped[str] = mapped_column(sa.Text, default="")
    child_view: Mapped[str] = mapped_column(sa.Text, default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdrawal_note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    organisation: Mapped[Organisation | None] = relationship()
    given_to = relationship("User", foreign_keys=[given_to_id])

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def purpose_words(self) -> str:
        return Purpose.words_of(self.purpose)

    def __repr__(self) -> str:
        return f"<Consent {self.id} witness={self.witness_id} {self.purpose}>"


class Referral(db.Model):
    """A referral of the witness to an organisation for a service, under a consent, carrying only
    the field groups that consent covers."""

    __tablename__ = "referrals"
    __audit_type__ = "referral"
    __table_args__ = (sa.Index("ix_referrals_status_respond_by", "status", "respond_by"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    consent_id: Mapped[int] = mapped_column(sa.ForeignKey("consents.id"), index=True)
    service: Mapped[str] = mapped_column(sa.String(40))
    field_groups: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(20), default=ReferralStatus.PENDING)
    # Sent to an organisation without confidentiality terms: why that was right.
    no_terms_reason: Mapped[str] = mapped_column(sa.Text, default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    decline_reason: Mapped[str] = mapped_column(sa.Text, default="")
    feedback: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    organisation: Mapped[Organisation] = relationship()
    consent: Mapped[Consent] = relationship()

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    def __repr__(self) -> str:
        return f"<Referral {self.id} witness={self.witness_id} {self.status}>"


class ServiceNeed(db.Model):
    """One Table 1 service in the witness's plan: where it stands, its goal, who provides it, when
    to review it."""

    __tablename__ = "service_needs"
    __audit_type__ = "service_need"
    __table_args__ = (sa.UniqueConstraint("witness_id", "service", name="uq_service_needs_witness_service"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"))
    service: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(20), default=NeedStatus.NEEDED)
    goal: Mapped[str] = mapped_column(sa.Text, default="")
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    review_on: Mapped[date | None] = mapped_column(index=True)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    organisation: Mapped[Organisation | None] = relationship()

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    @property
    def area(self) -> str:
        return SERVICES[self.service][0] if self.service in SERVICES else ""

    def __repr__(self) -> str:
        return f"<ServiceNeed {self.id} witness={self.witness_id} {self.service} {self.status}>"


class SustainabilityReview(db.Model):
    """Before a journey closes: what continues for the witness after the case."""

    __tablename__ = "sustainability_reviews"
    __audit_type__ = "sustainability_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    journey_id: Mapped[int] = mapped_column(sa.ForeignKey("journeys.id"), index=True)
    continues_after: Mapped[str] = mapped_column(sa.Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    def __repr__(self) -> str:
        return f"<SustainabilityReview {self.id} journey={self.journey_id}>"


def as_dict(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes, dates as ISO text (the API's and the letter's shape)."""
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, date | datetime) else value
    return out
