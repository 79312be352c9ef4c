"""Reads for remedies: a witness's claims, permits, charges and property, and what the case and
readiness pages need from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..cases.models import Case, Defendant, Journey
from ..extensions import db
from .models import ChargeAgainstWitness, ChargeDecision, CompensationClaim, PropertyItem, ResidencePermit


@dataclass
class Remedies:
    claims: list[CompensationClaim] = field(default_factory=list)
    permits: list[ResidencePermit] = field(default_factory=list)
    charges: list[ChargeAgainstWitness] = field(default_factory=list)
    property: list[PropertyItem] = field(default_factory=list)


def claims_of(witness_id: int) -> list[CompensationClaim]:
    return list(db.session.execute(
        sa.select(CompensationClaim).where(CompensationClaim.witness_id == witness_id)
        .options(selectinload(CompensationClaim.payments), selectinload(CompensationClaim.defendant))
        .order_by(CompensationClaim.id)
    ).scalars())


def permits_of(witness_id: int) -> list[ResidencePermit]:
    return list(db.session.execute(
        sa.select(ResidencePermit).where(ResidencePermit.witness_id == witness_id)
        .order_by(ResidencePermit.issued_on.desc(), ResidencePermit.id.desc())
    ).scalars())


def charges_of(witness_id: int) -> list[ChargeAgainstWitness]:
    return list(db.session.execute(
        sa.select(ChargeAgainstWitness).where(ChargeAgainstWitness.witness_id == witness_id)
        .order_by(ChargeAgainstWitness.id)
    ).scalars())


def property_of(witness_id: int) -> list[PropertyItem]:
    return list(db.session.execute(
        sa.select(PropertyItem).where(PropertyItem.witness_id == witness_id)
        .order_by(PropertyItem.returned_on.is_not(None), PropertyItem.taken_on, PropertyItem.id)
    ).scalars())


def remedies_of(witness_id: int, *, money: bool, identity: bool) -> Remedies:
    """What the witness's remedies page shows: claims with `money` (benefits summary), the rest
    with `identity`; a group the reader may not see is not even read."""
    return Remedies(
        claims=claims_of(witness_id) if money else [],
        permits=permits_of(witness_id) if identity else [],
        charges=charges_of(witness_id) if identity else [],
        property=property_of(witness_id) if identity else [],
    )


def witness_cases(witness_id: int) -> dict[int, str]:
    return dict(db.session.execute(
        sa.select(Case.id, Case.reference).join(Journey, Journey.case_id == Case.id)
        .where(Journey.witness_id == witness_id).order_by(Case.reference)
    ).all())


def witness_defendants(witness_id: int) -> dict[int, str]:
    return {
        d_id: f"{name} ({reference})" for d_id, name, reference in db.session.execute(
            sa.select(Defendant.id, Defendant.name, Case.reference).join(Case, Case.id == Defendant.case_id)
            .join(Journey, Journey.case_id == Case.id).where(Journey.witness_id == witness_id)
            .order_by(Case.reference, Defendant.name)
        ).all()
    }


def pending_charges(witness_ids: list[int]) -> dict[int, list[ChargeAgainstWitness]]:
    """Pending charges against each of these witnesses (readiness, disclosure review)."""
    found: dict[int, list[ChargeAgainstWitness]] = {}
    if not witness_ids:
        return found
    for charge in db.session.execute(
        sa.select(ChargeAgainstWitness).where(ChargeAgainstWitness.witness_id.in_(witness_ids),
                                              ChargeAgainstWitness.decision == ChargeDecision.PENDING)
        .order_by(ChargeAgainstWitness.id)
    ).scalars():
        found.setdefault(charge.witness_id, []).append(charge)
    return found


def readiness_facts(witness_ids: list[int]) -> tuple[dict[int, date | None], set[int]]:
    """In one statement (readiness keeps a fixed number of queries): per witness with a permit, the
    latest expiry of their permits (None when one never expires), and the witnesses with a pending
    charge against them."""
    permits = (
        sa.select(ResidencePermit.witness_id, sa.literal("permit").label("what"),
                  # A permit without expiry outlasts every other: NULL would be ignored by MAX.
                  sa.func.max(sa.func.coalesce(ResidencePermit.expires_on, date(9999, 12, 31))).label("until"))
        .where(ResidencePermit.witness_id.in_(witness_ids)).group_by(ResidencePermit.witness_id)
    )
    charges = (
        sa.select(ChargeAgainstWitness.witness_id, sa.literal("charge").label("what"),
                  sa.cast(sa.null(), sa.Date).label("until"))
        .where(ChargeAgainstWitness.witness_id.in_(witness_ids),
               ChargeAgainstWitness.decision == ChargeDecision.PENDING)
        .group_by(ChargeAgainstWitness.witness_id)
    )
    expiry: dict[int, date | None] = {}
    charged: set[int] = set()
    for witness_id, what, until in db.session.execute(sa.union_all(permits, charges)):
        if what == "permit":
            until = date.fromisoformat(until) if isinstance(until, str) else until
            expiry[witness_id] = None if until == date(9999, 12, 31) else until
        else:
            charged.add(witness_id)
    return expiry, charged


def claims_against_defendants(witness_ids: list[int], case_id: int | None) -> list[CompensationClaim]:
    """Claims these witnesses made against a defendant (of `case_id`, when given): the disclosure
    schedule lists them."""
    statement = (
        sa.select(CompensationClaim).join(Defendant, Defendant.id == CompensationClaim.defendant_id)
        .where(CompensationClaim.witness_id.in_(witness_ids))
        .options(selectinload(CompensationClaim.defendant), selectinload(CompensationClaim.payments))
        .order_by(CompensationClaim.witness_id, CompensationClaim.id)
    )
    if case_id is not None:
        statement = statement.where(Defendant.case_id == case_id)
    return list(db.session.execute(statement).scalars())
