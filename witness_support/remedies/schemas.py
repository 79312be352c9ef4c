"""The API's remedies resources: compensation claims (with award and payments), residence permits,
charges against the witness and property taken as evidence.

Claims and payments are in the witness's benefits_summary group; permits, charges and property in
identity (permissions.FIELD_GROUPS).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Self

from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema

from ..api.schemas import BlankText, Day, Id, Input, Money, NullText, OneOf, Output, Text, field_groups
from .models import (
    Arose,
    CaseDependence,
    ChargeDecision,
    ClaimStatus,
    HeadOfLoss,
    Offence,
    PermitKind,
    PropertyKind,
    Respondent,
    Route,
)


# An amount as sent: a string ("125.50", exact) or a JSON number; the operation checks its value
# (positive, two decimals).
def _amount(value: object) -> object:
    """A JSON number becomes its text; anything but text or a number (true, a list) is refused."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | None):
        raise ValueError('Give the amount as a string such as "125.50".')
    return value if value is None or isinstance(value, str) else str(value)


Amount = Annotated[
    str | None,
    BeforeValidator(_amount),
    WithJsonSchema({"type": ["string", "number", "null"],
                    "description": 'A positive amount, best as a string ("125.50").'}),
]
Currency = Annotated[NullText(10), Field(description="ISO 4217 code, such as EUR.")]

# ---- input ---------------------------------------------------------------------------------------


class CompensationClaimInput(Input):
    route: Route
    respondent: Respondent
    case_id: Id | None = None
    defendant_id: Id | None = None
    respondent_name: BlankText(200) = None
    heads_of_loss: list[HeadOfLoss] | None = None
    amount_claimed: Amount = None
    claimed_currency: Currency = None
    limitation_on: Day | None = None
    filing_due_on: Day | None = None
    filed_on: Day | None = None
    hearing_on: Day | None = None
    payment_due_on: Day | None = None
    status: OneOf(*(set(ClaimStatus) - {ClaimStatus.PAID})) | None = None
    acting: BlankText(200) = None


class AwardInput(Input):
    amount_awarded: Amount
    awarded_currency: Currency = None
    awarded_on: Day | None = None
    payment_due_on: Day | None = None
    award_reason: BlankText(2000) = Field(None, description="Required when the award is more than was claimed.")


class PaymentInput(Input):
    amount: Amount
    currency: Currency = None
    paid_on: Day
    note: BlankText(2000) = None


class ResidencePermitInput(Input):
    kind: PermitKind
    number: BlankText(100) = None
    issued_on: Day
    expires_on: Day | None = None
    depends_on_case: CaseDependence  # no default: whether the permit hangs on the case is stated
    case_id: Id | None = None
    note: BlankText(2000) = None


class ChargeInput(Input):
    offence: Offence
    details: BlankText(2000) = None
    arose_from_trafficking: Arose = None
    decision: ChargeDecision  # no default: the prosecutor's decision is stated, even when it is pending
    decided_on: Day | None = None


class ChargeDecisionInput(Input):
    decision: ChargeDecision
    decided_on: Day | None = None


class PropertyItemInput(Input):
    kind: PropertyKind
    description: BlankText(2000) = None
    taken_on: Day
    taken_by: Text(200)
    exhibit_reference: BlankText(100) = None
    held_at: BlankText(200) = None
    needed_urgently: bool = None
    needed_for: BlankText(300) = None
    case_id: Id | None = None
    return_requested_on: Day | None = None


class PropertyReturnInput(Input):
    return_requested_on: Day | None = None
    collectable_from: Day | None = None
    returned_on: Day | None = None
    not_returned_reason: NullText(2000) = None


# ---- output --------------------------------------------------------------------------------------


class CompensationPayment(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("compensation_payment"))

    id: int
    claim_id: int
    paid_on: date | None
    amount: Money
    currency: str | None
    note: str


class CompensationClaim(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("compensation_claim"))

    id: int
    witness_id: int
    case_id: int | None
    route: Route
    respondent: Respondent
    defendant_id: int | None
    respondent_name: str
    heads_of_loss: list[HeadOfLoss]
    amount_claimed: Money
    claimed_currency: str | None
    amount_awarded: Money
    awarded_currency: str | None
    awarded_on: date | None
    award_reason: str
    amount_paid: Money
    payments: list[CompensationPayment]
    limitation_on: date | None
    filing_due_on: date | None
    filed_on: date | None
    hearing_on: date | None
    payment_due_on: date | None
    status: ClaimStatus
    acting: str
    outcome_id: int | None

    @classmethod
    def of(cls, claim: object) -> Self:
        names = set(cls.model_fields) - {"heads_of_loss", "amount_paid", "payments"}
        return cls(
            **{name: getattr(claim, name) for name in names},
            heads_of_loss=list(claim.heads_of_loss or []),
            amount_paid=claim.paid_total if claim.amount_awarded is not None else None,
            payments=[CompensationPayment.model_validate(p) for p in claim.payments],
        )


class ResidencePermit(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("residence_permit"))

    id: int
    witness_id: int
    case_id: int | None
    kind: PermitKind
    number: str
    issued_on: date | None
    expires_on: date | None
    depends_on_case: CaseDependence
    note: str


class ChargeAgainstWitness(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("charge_against_witness"))

    id: int
    witness_id: int
    offence: Offence
    details: str
    arose_from_trafficking: Arose
    decision: ChargeDecision
    decided_on: date | None


class PropertyItem(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("property_item"))

    id: int
    witness_id: int
    case_id: int | None
    kind: PropertyKind
    description: str
    taken_on: date | None
    taken_by: str
    exhibit_reference: str
    held_at: str
    needed_urgently: bool
    needed_for: str
    return_requested_on: date | None
    collectable_from: date | None
    returned_on: date | None
    not_returned_reason: str
