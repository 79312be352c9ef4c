"""Remedies reacting to other areas: a compensation order recorded with an outcome opens a claim in
the criminal-order route for the witness it is for (or updates the award of the claim it opened)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..outcomes.models import Outcome
from ..outcomes.signals import outcome_saved
from ..witnesses.models import Witness
from . import operations
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


def connect() -> None:
    outcome_saved.connect(_on_outcome_saved, weak=False)
