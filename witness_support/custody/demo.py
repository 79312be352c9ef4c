"""Custody in the demo: a bailed defendant with a no-contact condition, a remand, a closed journey
whose witness stays enrolled for offender notices, and a protection plan answering the bail."""

from __future__ import annotations

from datetime import timedelta

from ..auth.models import User
from ..cases.models import Case, Stage
from ..db import today_utc, utc_now
from ..protection import operations as protection_ops
from ..services import operations as services_ops
from . import operations


def seed_custody_demo(officer: User, cases: list[Case]) -> None:
    """On the demo's first three cases (each with defendants and witnesses): bail, remand, a close."""
    bailed_case, remand_case, closing_case = cases[:3]
    now = utc_now()
    witness = bailed_case.journeys[0].witness
    operations.record_custody_event(
        officer, bailed_case.defendants[0], kind="bailed", occurred_at=now - timedelta(days=3, hours=2),
        source="Invented: the court clerk, by phone",
        conditions=[
            {"kind": "no_contact", "witness_id": witness.id},
            {"kind": "exclusion_zone", "witness_id": witness.id, "text": "Invented: the streets around the shelter"},
            {"kind": "reporting", "text": "Invented: to the police station every Monday"},
            {"kind": "passport_surrendered"},
        ],
    )
    if witness.risk_assessments:
        protection_ops.revise_plan(
            officer, witness, review_on=today_utc() + timedelta(days=14),
            risk_assessment_id=witness.risk_assessments[0].id,
            summary="Invented: revised after the defendant's release on bail.",
            measures=[{"kind": "escort_to_court", "text": "Invented: police escort on trial days",
                       "responsible": "Invented: the case's police liaison"},
                      {"kind": "check_in_calls", "text": "Twice a week while the defendant is on bail",
                       "responsible": "Lina Liaison"}],
        )
    operations.record_custody_event(
        officer, remand_case.defendants[0], kind="remanded", occurred_at=now - timedelta(days=10),
        source="Invented: the remand hearing record",
    )
    journey = next((j for j in closing_case.journeys if j.stage != Stage.CLOSED), None)
    if journey is not None:
        services_ops.record_review(officer, journey, continues_after="Invented: counselling continues with the "
                                   "shelter; the officer checks in monthly until the sentence ends.")
        operations.close_journey(officer, journey, reason="Invented: the witness's part in the case is over.",
                                 stay_enrolled=True)
