"""The API's ledger resources: benefit entries and corrections, concerns, and the disclosure schedule."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Self

from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema

from ..api.schemas import Day, Id, Input, Instant, Money, NullText, Output, Text, field_groups
from . import models
from .models import BenefitKind, CorrectionType
from .operations import Schedule, Total


def _amount(value: Any) -> Any:
    # The amount may be a string ("12.50", exact) or a JSON number; the operation checks its value.
    if value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
        raise ValueError('Give the amount as a string such as "125.50", or null')
    return value


def Amount(description: str) -> Any:  # noqa: N802 - reads as a type
    return Annotated[
        Any,
        BeforeValidator(_amount),
        WithJsonSchema({"type": ["string", "number", "null"], "examples": ["125.50"], "description": description}),
    ]


_AUTHORISER = ("A liaison officer or prosecutor assigned to the witness; defaults to you. "
               "Must be someone else for second-person kinds and amounts.")

# ---- input ---------------------------------------------------------------------------------------


class BenefitInput(Input):
    """Record a benefit given to the witness (appended to the hash chain)."""

    kind: BenefitKind
    description: Text(2000)
    amount: Amount("More than zero, at most two decimals; with a currency, or null.") = None
    currency: NullText(3) = Field(default=None, description="ISO 4217 code", examples=["IDR"])
    provided_on: Day
    provided_until: Day | None = Field(default=None, description="Last day of recurring support (e.g. accommodation).")
    provider: Text(200)
    rationale: Text(5000, min_length=20) = Field(description="The need the benefit meets.")
    authorised_by_id: Id | None = Field(default=None, description=_AUTHORISER)


class CorrectionInput(Input):
    """Reverse or adjust an entry with a new entry; both stay visible."""

    correction_type: CorrectionType
    reason: Text(5000, min_length=20)
    amount: Amount('Adjustments only: the signed difference, e.g. "-20.00".') = None
    authorised_by_id: Id | None = None


class ConcernInput(Input):
    description: Text(5000, min_length=10)


# ---- output --------------------------------------------------------------------------------------

Hash = Annotated[str, Field(pattern="^[0-9a-f]{64}$")]


class Person(Output):
    id: int
    name: str = Field(validation_alias="display_name")


_ACCOMMODATION = "Of an accommodation benefit, present only for callers who see the location field group."


class BenefitEntry(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("benefit"))

    id: int
    sequence: int = Field(validation_alias="id", description="Position in the hash chain (equals id).")
    witness_id: int
    kind: BenefitKind
    description: str = Field(description=_ACCOMMODATION)
    amount: Money = Field(description="Signed decimal string; negative for reductions by correction.")
    currency: str | None = Field(pattern="^[A-Z]{3}$")
    provided_on: date
    provided_until: date | None
    provider: str = Field(description=_ACCOMMODATION)
    rationale: str = Field(description="The need the benefit meets.")
    authorised_by: Person
    entered_by: Person
    # A person named by id, as the input names the authoriser and as other resources name people.
    authorised_by_id: int
    entered_by_id: int
    entered_at: Instant
    corrects_id: int | None
    correction_type: CorrectionType | None
    correction_reason: str | None
    prev_hash: Hash
    hash: Hash


class BenefitTotal(Output):
    kind: BenefitKind
    currency: str | None
    amount: Money
    entries: int


class BenefitList(Output):
    items: list[BenefitEntry]
    totals: list[BenefitTotal] = Field(description="Over every entry of the witness, not only this page's")
    next_after: int | None = Field(None, description="Pass as `after` for the next page; null on the last")

    @classmethod
    def of(cls, entries: list[models.BenefitEntry], totals: list[Total]) -> Self:
        return cls.model_validate({"items": entries, "totals": totals})


class Concern(Output):
    """A concern; its free text goes with the benefits summary (fields say their group)."""

    model_config = ConfigDict(json_schema_extra=field_groups("concern"))

    id: int
    witness_id: int
    entry_id: int | None
    description: str
    raised_by: str | None
    raised_at: Instant
    status: Literal["open", "resolved"]
    resolved_at: Instant | None
    resolved_by: str | None
    resolution: str | None

    @classmethod
    def of(cls, concern: models.BenefitConcern) -> Self:
        return cls(
            id=concern.id, witness_id=concern.witness_id, entry_id=concern.entry_id,
            description=concern.description,
            raised_by=concern.raised_by.display_name if concern.raised_by else None, raised_at=concern.raised_at,
            status="open" if concern.is_open else "resolved", resolved_at=concern.resolved_at,
            resolved_by=concern.resolved_by.display_name if concern.resolved_by else None,
            resolution=concern.resolution,
        )


class ScheduledEntry(BenefitEntry):
    near_testimony: list[date]
    corrected_by: list[int]


class DisclosedClaim(Output):
    """A claim the witness made against a defendant: not a benefit (outside the ledger and its
    totals), listed because the defence may ask."""

    claim_id: int
    defendant: str
    route: str
    status: str
    filed_on: date | None
    amount_claimed: Money
    claimed_currency: str | None
    amount_awarded: Money
    awarded_currency: str | None
    amount_paid: Money


class WitnessSchedule(Output):
    witness_id: int
    witness_reference: str
    testimony_dates: list[date]
    entries: list[ScheduledEntry]
    totals: list[BenefitTotal]
    concerns: list[Concern]
    compensation_claims: list[DisclosedClaim] = Field(
        description="Claims the witness made against a defendant: not benefits, listed because the defence may ask.")


class Checkpoint(Output):
    id: int
    sequence: int
    head_hash: Hash
    created_at: Instant
    key_id: str
    signature: Hash
    signature_valid: bool


class DisclosureRecord(Output):
    id: int
    disclosed_on: date
    up_to_sequence: int
    note: str
    recorded_by: str


class DisclosureSchedule(Output):
    title: str
    case_id: int | None
    witness_id: int | None
    generated_at: Instant
    up_to_sequence: int
    testimony_window_days: int
    witnesses: list[WitnessSchedule]
    totals: list[BenefitTotal]
    checkpoint: Checkpoint | None
    disclosures: list[DisclosureRecord]
    undisclosed_sequences: list[int]

    @classmethod
    def of(cls, schedule: Schedule) -> Self:
        checkpoint = schedule.checkpoint
        return cls(
            title=schedule.title, case_id=schedule.case_id, witness_id=schedule.witness_id,
            generated_at=schedule.generated_at, up_to_sequence=schedule.up_to_sequence,
            testimony_window_days=schedule.window_days,
            witnesses=[
                WitnessSchedule(
                    witness_id=s.witness.id, witness_reference=s.witness.reference,
                    testimony_dates=s.testimony_dates,
                    entries=[
                        ScheduledEntry(**BenefitEntry.model_validate(r.entry).__dict__,
                                       near_testimony=r.near_testimony, corrected_by=r.corrected_by)
                        for r in s.rows
                    ],
                    totals=[BenefitTotal.model_validate(t) for t in s.totals],
                    concerns=[Concern.of(c) for c in s.concerns],
                    compensation_claims=[DisclosedClaim.model_validate(c) for c in s.claims],
                )
                for s in schedule.sections
            ],
            totals=[BenefitTotal.model_validate(t) for t in schedule.totals],
            checkpoint=None if checkpoint is None else Checkpoint(
                id=checkpoint.id, sequence=checkpoint.sequence, head_hash=checkpoint.head_hash,
                created_at=checkpoint.created_at, key_id=checkpoint.key_id, signature=checkpoint.signature,
                signature_valid=schedule.checkpoint_authentic,
            ),
            disclosures=[
                DisclosureRecord(id=d.id, disclosed_on=d.disclosed_on, up_to_sequence=d.up_to_sequence, note=d.note,
                                 recorded_by=d.recorded_by.display_name)
                for d in schedule.disclosures
            ],
            undisclosed_sequences=schedule.undisclosed,
        )
