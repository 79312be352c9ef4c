"""Reads: the witness's services page in a fixed number of statements, the organisations
directory, and the referral letter (the pseudonymous reference plus the consented fields only)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..permissions import FieldGroup
from ..witnesses.models import RiskAssessment, Witness
from .models import (
    SERVICES,
    Area,
    Consent,
    InformationGiven,
    Organisation,
    Referral,
    ServiceNeed,
    SustainabilityReview,
    service_words,
)

# The field groups a referral letter can carry, and what each puts in it. Benefits are never
# shared by referral: the ledger is a disclosure record, not a service history.
LETTER_GROUPS = frozenset({
    FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.LOCATION, FieldGroup.NEEDS, FieldGroup.RISK_LEVEL,
    FieldGroup.RISK_DETAIL, FieldGroup.COURT_LOGISTICS,
})


@dataclass
class Letter:
    subject: str
    heading: str
    lines: list[tuple[str, str]] = field(default_factory=list)

    def text(self) -> str:
        body = [self.heading, ""] + [f"{label}: {value}" for label, value in self.lines]
        body += ["", "This referral carries only what the person agreed to share. Please keep it confidential, "
                     "use it only for the service named, and answer this referral."]
        return "\n".join(body)


def _letter_lines(witness: Witness, groups: set[str]) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    if FieldGroup.IDENTITY in groups:
        lines += [("Name", witness.legal_name),
                  ("Date of birth", witness.date_of_birth.isoformat() if witness.date_of_birth else "not known"),
                  ("Gender", witness.gender or "not recorded"), ("Nationality", witness.nationality or "not recorded")]
    if FieldGroup.CONTACT in groups:
        lines.append(("Contact", witness.contact_details or "not recorded"))
    if FieldGroup.LOCATION in groups:
        lines.append(("Address", witness.address or "not recorded"))
    if FieldGroup.COURT_LOGISTICS in groups:
        lines.append(("Language", witness.preferred_language))
        if witness.interpreter_language:
            lines.append(("Interpreter needed", witness.interpreter_language))
    if FieldGroup.NEEDS in groups:
        lines.append(("Child", "yes" if witness.is_child else "no"))
        needs = db.session.execute(sa.select(ServiceNeed).where(ServiceNeed.witness_id == witness.id)
                                   .order_by(ServiceNeed.id)).scalars()
        for need in needs:
            lines.append(("Need", f"{service_words(need.service)}: {need.status.replace('_', ' ')}"
                                  + (f" ({need.goal})" if need.goal else "")))
    if FieldGroup.RISK_LEVEL in groups:
        lines.append(("Risk level", witness.current_risk_level or "not assessed"))
    if FieldGroup.RISK_DETAIL in groups:
        latest = db.session.execute(sa.select(RiskAssessment).where(RiskAssessment.witness_id == witness.id)
                                    .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
                                    .limit(1)).scalar_one_or_none()
        if latest is not None:
            lines += [("Threats", latest.threats or "none recorded"), ("Measures", latest.measures or "none recorded")]
    return lines


def referral_letter(referral: Referral, witness: Witness) -> Letter:
    """The letter: the witness by pseudonymous reference, the service, and the consented groups."""
    lines = [("Reference", witness.reference), ("Service", service_words(referral.service))]
    lines += _letter_lines(witness, set(referral.field_groups) & set(referral.consent.scope))
    return Letter(
        subject=f"Referral {witness.reference}: {service_words(referral.service)}",
        heading=f"Referral #{referral.id} to {referral.organisation.name}",
        lines=lines,
    )


@dataclass
class ServicesPage:
    information: list[InformationGiven]
    consents: list[Consent]
    referrals: list[Referral]
    needs: dict[str, ServiceNeed]
    reviews: list[SustainabilityReview]
    organisations: dict[int, Organisation]

    def plan(self) -> list[tuple[str, list[tuple[str, str, ServiceNeed | None]]]]:
        """Table 1 by area: (area words, [(service code, words, the need or None)])."""
        by_area: dict[str, list[tuple[str, str, ServiceNeed | None]]] = defaultdict(list)
        for code, (area, words) in SERVICES.items():
            by_area[area].append((code, words, self.needs.get(code)))
        return [(Area.words_of(area), rows) for area, rows in by_area.items()]


def services_page(witness_id: int) -> ServicesPage:
    """Everything on the witness's services page: six statements whatever the number of rows."""
    information = list(db.session.execute(
        sa.select(InformationGiven).where(InformationGiven.witness_id == witness_id)
        .options(selectinload(InformationGiven.given_by))
        .order_by(InformationGiven.given_at.desc(), InformationGiven.id.desc())).scalars())
    consents = list(db.session.execute(
        sa.select(Consent).where(Consent.witness_id == witness_id).options(selectinload(Consent.given_to))
        .order_by(Consent.given_at.desc(), Consent.id.desc())).scalars())
    referrals = list(db.session.execute(
        sa.select(Referral).where(Referral.witness_id == witness_id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())).scalars())
    needs = {n.service: n for n in db.session.execute(
        sa.select(ServiceNeed).where(ServiceNeed.witness_id == witness_id)).scalars()}
    reviews = list(db.session.execute(
        sa.select(SustainabilityReview).where(SustainabilityReview.witness_id == witness_id)
        .order_by(SustainabilityReview.reviewed_at.desc())).scalars())
    wanted = ({c.organisation_id for c in consents} | {r.organisation_id for r in referrals}
              | {n.organisation_id for n in needs.values()}) - {None}
    organisations = {o.id: o for o in db.session.execute(
        sa.select(Organisation).where(Organisation.id.in_(sorted(wanted)))).scalars()} if wanted else {}
    return ServicesPage(information, consents, referrals, needs, reviews, organisations)


def directory(service: str | None = None) -> list[Organisation]:
    organisations = db.session.execute(sa.select(Organisation).order_by(Organisation.name)).scalars().all()
    return [o for o in organisations if service is None or service in (o.services or [])]


def active_consents(witness_id: int) -> list[Consent]:
    return list(db.session.execute(
        sa.select(Consent).where(Consent.witness_id == witness_id, Consent.withdrawn_at.is_(None))
        .order_by(Consent.id)).scalars())




def journey_review(journey_id: int) -> SustainabilityReview | None:
    """The latest sustainable-protection review of a journey, if any (one statement)."""
    return db.session.execute(
        sa.select(SustainabilityReview).where(SustainabilityReview.journey_id == journey_id)
        .order_by(SustainabilityReview.reviewed_at.desc(), SustainabilityReview.id.desc()).limit(1)
    ).scalar_one_or_none()


def journey_reviews(journey_id: int) -> list[SustainabilityReview]:
    return list(db.session.execute(
        sa.select(SustainabilityReview).where(SustainabilityReview.journey_id == journey_id)
        .order_by(SustainabilityReview.reviewed_at.desc(), SustainabilityReview.id.desc())).scalars())
