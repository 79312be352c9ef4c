"""The API's outcome resources: the verdict and sentence per defendant, appeals and custody changes."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from ..api.schemas import Day, Id, Input, Instant, Money, NullText, OneOf, Output
from .models import AppealOutcome, CustodyChange, SentenceKind, Verdict
from .operations import APPEAL_PARTIES


class _OutcomeFields(Input):
    """What a verdict, a sentence and an appeal record (checked together by the operation)."""

    charges: NullText(5000) = None
    sentence_kind: SentenceKind | None = None
    sentence_months: int | None = Field(default=None, ge=0, le=1200)
    sentence_details: NullText(2000) = None
    sentenced_on: Day | None = None
    earliest_release_date: Day | None = None
    proposed_release_date: Day | None = None
    appeal_deadline: Day | None = None
    appeal_lodged_on: Day | None = None
    appeal_lodged_by: OneOf(*APPEAL_PARTIES) | None = None
    appeal_outcome: AppealOutcome | None = None
    # A compensation order for one witness of the case; the amount a string ("5000.00", exact),
    # checked by the operation.
    compensation_amount: NullText(40) = Field(
        default=None, description='A compensation order made with the sentence, such as "5000.00".')
    compensation_currency: NullText(10) = Field(default=None, description="ISO 4217 code, such as EUR.")
    compensation_due_on: Day | None = None
    compensation_witness_id: Id | None = Field(default=None, description="The witness the order is for.")
    note: NullText(2000) = None


class OutcomeInput(_OutcomeFields):
    """Record a verdict (moves the witnesses to post-trial, tells them, raises plan revisions)."""

    defendant_id: Id
    verdict: Verdict


class OutcomeChangeInput(_OutcomeFields):
    """Change an outcome: only the fields sent change, each change kept as history."""

    verdict: Verdict = None
    custody: CustodyChange = None
    custody_changed_on: Day | None = None


class OutcomeHistory(Output):
    id: int
    kind: str
    changes: dict[str, Any]
    note: str
    at: Instant
    actor_id: int | None


class Outcome(Output):
    id: int
    case_id: int
    defendant_id: int
    verdict: Verdict
    charges: str
    sentence_kind: SentenceKind | None
    sentence_months: int | None
    sentence_details: str
    sentenced_on: date | None
    earliest_release_date: date | None
    proposed_release_date: date | None
    appeal_deadline: date | None
    appeal_lodged_on: date | None
    appeal_lodged_by: OneOf(*APPEAL_PARTIES) | None
    appeal_outcome: AppealOutcome | None
    custody: CustodyChange | None
    custody_changed_on: date | None
    compensation_amount: Money
    compensation_currency: str | None
    compensation_due_on: date | None
    compensation_witness_id: int | None
    history: list[OutcomeHistory] = Field(validation_alias="changes")
