"""Remedies reacting to other areas: a compensation order recorded with an outcome opens a claim in
the criminal-order route for the witness it is for (or updates the award of the claim it opened);
the court's readiness asks about permits and pending charges."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ..court.readiness import ReadinessFinding
from ..court.signals import readiness_checking
from ..extensions import db
from ..ledger.operations import DisclosedClaim
from ..ledger.signals import schedule_building
from ..outcomes.models import Outcome
from ..outcomes.signals import outcome_saved
from ..witnesses.models import Witness
from . import operations, queries
from .models import CompensationClaim, Respondent, Route

_ORDER_FIELDS = frozenset({"compensation_amount", "compensation_currency", "compensation_due_on",
                           "compensation_witness_id"})


def _on_outcome_saved(outcome: Outcome, *, actor: Any = None, changed: frozenset[str] = frozenset(),
                      **_: Any) -> None:
    if not (changed & _ORDER_FIELDS) or outcome.compensation_amount is None or outcome.compensation_witness_id is None:
        return
    claim = db.session.execute(
        sa.select(CompensationClaim).where(CompensationClaim.outcome_id == outcome.id,
                                           CompensationClaim.witness_id == outcome.compensation_witness_id)
    ).scalar_one_or_none()
    if claim is None:
        witness = db.session.get(Witness, outcome.compensation_witness_id)
        operations.open_claim(
            actor, witness, route=Route.CRIMINAL_ORDER, respondent=Respondent.DEFENDANT, case_id=outcome.case_id,
            defendant_id=outcome.defendant_id, amount_awarded=outcome.compensation_amount,
            awarded_currency=outcome.compensation_currency, awarded_on=outcome.sentenced_on,
            payment_due_on=outcome.compensation_due_on, outcome_id=outcome.id,
        )
    else:
        operations.record_award(
            actor, claim, amount_awarded=outcome.compensation_amount, awarded_currency=outcome.compensation_currency,
            awarded_on=outcome.sentenced_on, payment_due_on=outcome.compensation_due_on,
            award_reason=claim.award_reason or "As ordered by the court with the sentence.",
        )




def _on_readiness(pairs: list[tuple[int, int, date]], **_: Any) -> list[ReadinessFinding]:
    """A permit that expires before a trial day blocks it; a pending charge is shown to the
    prosecutor for the disclosure review (a fact, not its details: those stay on the remedies page)."""
    expiry, charged = queries.readiness_facts(sorted({witness_id for _, witness_id, _ in pairs}))
    findings = []
    for event_id, witness_id, day in pairs:
        until = expiry.get(witness_id)
        if until is not None and until < day:
            findings.append(ReadinessFinding(
                event_id, witness_id, "permit_expires",
                "The residence permit expires before this trial day: arrange its renewal.", "remedies.show"))
        if witness_id in charged:
            findings.append(ReadinessFinding(
                event_id, witness_id, "charge_pending",
                "A charge against the witness is pending: consider it in the disclosure review.", "remedies.show",
                blocking=False))
    return findings


def _on_schedule(witness_ids: list[int], *, case_id: int | None = None, **_: Any) -> dict[int, dict[str, Any]]:
    """Claims against a defendant, and the number of pending charges, for the disclosure schedule."""
    extra: dict[int, dict[str, Any]] = {w: {"claims": [], "pending_charges": 0} for w in witness_ids}
    if not witness_ids:
        return extra
    for claim in queries.claims_against_defendants(witness_ids, case_id):
        extra[claim.witness_id]["claims"].append(DisclosedClaim(
            claim_id=claim.id, defendant=claim.defendant.name, route=claim.route_words, status=claim.status,
            filed_on=claim.filed_on, amount_claimed=claim.amount_claimed, claimed_currency=claim.claimed_currency,
            amount_awarded=claim.amount_awarded, awarded_currency=claim.awarded_currency,
            amount_paid=claim.paid_total if claim.amount_awarded is not None else None,
        ))
    for witness_id, charges in queries.pending_charges(witness_ids).items():
        extra[witness_id]["pending_charges"] = len(charges)
    return extra


def connect() -> None:
    outcome_saved.connect(_on_outcome_saved, weak=False)
    readiness_checking.connect(_on_readiness, weak=False)
    schedule_building.connect(_on_schedule, weak=False)
