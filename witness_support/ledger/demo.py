"""Invented benefits for the demo data: a few per witness, a correction, a concern, a checkpoint."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from ..auth.models import User
from ..cases.models import CaseAssignment, Journey
from ..db import today_utc
from ..extensions import db
from ..witnesses.models import Witness
from . import operations

_RECURRING = [
    ("accommodation", "Room in a shelter run by an invented NGO", "IDR", "1500000.00",
     "The witness cannot return home safely while associates of the accused are at large."),
    ("subsistence", "Weekly food and hygiene allowance", "IDR", "350000.00",
     "The witness has no income while staying in the shelter and cannot work yet."),
]
_ONE_OFF = [
    ("travel", "Return bus fare to the court familiarisation visit", "IDR", "120000.00",
     "The witness needs to see the courtroom before testifying, to reduce anxiety."),
    ("medical", "Dental treatment at the district clinic", "IDR", "800000.00",
     "The witness has untreated injuries from the period of exploitation."),
    ("psychological", "Eight counselling sessions", None, None,
     "The witness shows signs of trauma that affect sleep and daily life."),
    ("phone_or_communication", "Prepaid phone with a new number", "IDR", "450000.00",
     "The old number is known to the traffickers; the witness must be reachable safely."),
]


def seed_ledger_demo(rng: random.Random, officer: User, prosecutor: User) -> None:
    """Called by seed_demo once the witnesses exist (the officer registered them all)."""
    today = today_utc()
    witnesses = db.session.execute(sa.select(Witness).order_by(Witness.id)).scalars().all()
    for witness in witnesses:
        on_case = db.session.execute(
            sa.select(CaseAssignment.id).join(Journey, Journey.case_id == CaseAssignment.case_id)
            .where(Journey.witness_id == witness.id, CaseAssignment.user_id == prosecutor.id)
        ).first()
        start = today - timedelta(days=rng.randint(20, 100))
        for kind, description, currency, amount, rationale in _RECURRING:
            operations.record_benefit(
                officer, witness, kind=kind, description=description, amount=amount, currency=currency,
                provided_on=start, provided_until=today - timedelta(days=1), provider="Invented Shelter Foundation",
                rationale=rationale,
            )
        for kind, description, currency, amount, rationale in rng.sample(_ONE_OFF, 2):
            entry = operations.record_benefit(
                officer, witness, kind=kind, description=description, amount=amount, currency=currency,
                provided_on=today - timedelta(days=rng.randint(1, 19)), provider="Invented District Services",
                rationale=rationale,
            )
        if on_case and witness.id % 3 == 0:
            operations.record_benefit(
                officer, witness, kind="visa_or_stay_permit", description="Temporary stay permit, 6 months",
                provided_on=start, provider="Invented Immigration Office", authorised_by=prosecutor,
                rationale="The witness may not stay lawfully during the trial without a permit.",
            )
        if witness.id % 5 == 0 and entry.amount is not None:
            operations.correct_benefit(
                officer, entry, correction_type="adjustment", amount="-20000.00",
                reason="The receipt shows a lower price than the estimate recorded first.",
            )
        if witness.id % 7 == 0:
            operations.raise_concern(officer, witness, "Invented: the phone may have been handed to a relative.",
                                     entry)
    operations.create_checkpoint(officer)
