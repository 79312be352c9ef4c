"""CompensationClaim with its CompensationPayments, ResidencePermit, ChargeAgainstWitness and
PropertyItem. Money is `Numeric` with an ISO 4217 code beside every amount."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..crypto import EncryptedText
from ..db import UTCDateTime, utc_now
from ..enums import LabelledEnum
from ..extensions import db

MONEY = sa.Numeric(14, 2)


class Route(LabelledEnum):
    CRIMINAL_ORDER = "criminal_order", "criminal compensation or restitution order"
    CIVIL_CLAIM = "civil_claim", "civil claim"
    LABOUR_CLAIM = "labour_claim", "labour claim for unpaid wages"
    STATE_FUND = "state_fund", "state compensation fund"
    OTHER = "other"


ROUTE_WORDS = Route.word_map()  # the forms' name for the words


class Respondent(StrEnum):
    DEFENDANT = "defendant"
    EMPLOYER = "employer"
    STATE = "state"
    OTHER = "other"


class HeadOfLoss(StrEnum):
    UNPAID_WAGES = "unpaid_wages"
    INJURY = "injury"
    MEDICAL_COSTS = "medical_costs"
    LOST_EARNINGS = "lost_earnings"
    MORAL_DAMAGE = "moral_damage"
    OTHER = "other"


class ClaimStatus(StrEnum):
    PREPARING = "preparing"
    FILED = "filed"
    HEARD = "heard"
    AWARDED = "awarded"
    PAID = "paid"  # set by the payment that completes the award
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


# The key dates of a claim, each raising a task before it falls (remedies.reminders).
KEY_DATES = {
    "limitation_on": "the limitation period ends",
    "filing_due_on": "the claim must be filed",
    "hearing_on": "the hearing",
    "payment_due_on": "the award is due to be paid",
}


class CompensationClaim(db.Model):
    """One claim for compensation by a witness, through one route, against one respondent."""

    __tablename__ = "compensation_claims"
    __audit_type__ = "compensation_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    route: Mapped[str] = mapped_column(sa.String(20))
    respondent: Mapped[str] = mapped_column(sa.String(20))
    # A defendant of the case, when the claim is against one (the disclosure schedule lists these).
    defendant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("defendants.id"), index=True)
    respondent_name: Mapped[str] = mapped_column(sa.String(200), default="")
    heads_of_loss: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    amount_claimed: Mapped[Decimal | None] = mapped_column(MONEY)
    claimed_currency: Mapped[str | None] = mapped_column(sa.String(3))
    amount_awarded: Mapped[Decimal | None] = mapped_column(MONEY)
    awarded_currency: Mapped[str | None] = mapped_column(sa.String(3))
    awarded_on: Mapped[date | None]
    # Why an award is more than was claimed (interest, a court's own assessment); required then.
    award_reason: Mapped[str] = mapped_column(sa.Text, default="")
    limitation_on: Mapped[date | None]
    filing_due_on: Mapped[date | None]
    filed_on: Mapped[date | None]
    hearing_on: Mapped[date | None]
    payment_due_on: Mapped[date | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=ClaimStatus.PREPARING)
    acting: Mapped[str] = mapped_column(sa.String(200), default="")  # the lawyer or organisation
    # The outcome whose compensation order opened this claim (criminal-order route).
    outcome_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outcomes.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    payments: Mapped[list[CompensationPayment]] = relationship(
        back_populates="claim", order_by="CompensationPayment.paid_on, CompensationPayment.id")
    defendant = relationship("Defendant")

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    @property
    def route_words(self) -> str:
        return Route.words_of(self.route)

    @property
    def paid_total(self) -> Decimal:
        """What was paid in the award's currency (payments in another currency are listed, not summed)."""
        return sum((p.amount for p in self.payments if p.currency == self.awarded_currency), Decimal("0"))

    @property
    def outstanding(self) -> Decimal | None:
        if self.amount_awarded is None:
            return None
        return max(self.amount_awarded - self.paid_total, Decimal("0"))

    @property
    def fully_paid(self) -> bool:
        return self.amount_awarded is not None and self.paid_total >= self.amount_awarded

    def __repr__(self) -> str:
        return f"<CompensationClaim {self.id} witness={self.witness_id} {self.route} {self.status}>"


class CompensationPayment(db.Model):
    """One dated instalment paid on a claim's award."""

    __tablename__ = "compensation_payments"
    __audit_type__ = "compensation_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("compensation_claims.id"), index=True)
    paid_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(sa.String(3))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    claim: Mapped[CompensationClaim] = relationship(back_populates="payments")

    @property
    def audit_witness_id(self) -> int:
        return self.claim.witness_id

    def __repr__(self) -> str:
        return f"<CompensationPayment {self.id} claim={self.claim_id}>"


class PermitKind(LabelledEnum):
    REFLECTION_PERIOD = "reflection_period", "reflection period permit"
    TEMPORARY_VICTIM = "temporary_victim", "temporary permit as a victim"
    TEMPORARY_WITNESS = "temporary_witness", "temporary permit as a witness"
    HUMANITARIAN = "humanitarian", "humanitarian permit"
    LONG_TERM = "long_term", "longer-term or permanent residence"
    OTHER = "other"


PERMIT_WORDS = PermitKind.word_map()  # the forms' name for the words


class CaseDependence(StrEnum):
    COOPERATION = "cooperation"  # lasts while the witness cooperates with the case
    PROCEEDINGS = "proceedings"  # lasts until the proceedings end
    INDEPENDENT = "independent"  # does not depend on the case


class ResidencePermit(db.Model):
    """A residence permit the witness holds; kind, number and dates are identity data."""

    __tablename__ = "residence_permits"
    __audit_type__ = "residence_permit"

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    number: Mapped[str] = mapped_column(EncryptedText, default="")
    issued_on: Mapped[date]
    # Indexed: the reminder pass finds permits by a range on it.
    expires_on: Mapped[date | None] = mapped_column(index=True)
    depends_on_case: Mapped[str] = mapped_column(sa.String(20), default=CaseDependence.INDEPENDENT)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    @property
    def kind_words(self) -> str:
        return PermitKind.words_of(self.kind)

    def __repr__(self) -> str:
        return f"<ResidencePermit {self.id} witness={self.witness_id} {self.kind}>"


class Offence(StrEnum):
    IMMIGRATION = "immigration"
    DOCUMENT = "document"
    PROSTITUTION_RELATED = "prostitution_related"
    DRUG = "drug"
    THEFT = "theft"
    OTHER = "other"


class Arose(StrEnum):
    """Whether the offence arose from the trafficking."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class ChargeDecision(StrEnum):
    PENDING = "pending"
    DISCONTINUED = "discontinued"
    NOT_PROSECUTED = "not_prosecuted"
    CONVICTED = "convicted"


class ChargeAgainstWitness(db.Model):
    """An offence the witness is charged with or investigated for (the non-punishment principle)."""

    __tablename__ = "charges_against_witnesses"
    __audit_type__ = "charge_against_witness"

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    offence: Mapped[str] = mapped_column(sa.String(30))
    details: Mapped[str] = mapped_column(sa.Text, default="")
    arose_from_trafficking: Mapped[str] = mapped_column(sa.String(10), default=Arose.UNKNOWN)
    decision: Mapped[str] = mapped_column(sa.String(20), default=ChargeDecision.PENDING)
    decided_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    @property
    def pending(self) -> bool:
        return self.decision == ChargeDecision.PENDING

    def __repr__(self) -> str:
        return f"<ChargeAgainstWitness {self.id} witness={self.witness_id} {self.decision}>"


class PropertyKind(StrEnum):
    PASSPORT = "passport"
    IDENTITY_CARD = "identity_card"
    PHONE = "phone"
    MONEY = "money"
    DOCUMENTS = "documents"
    CLOTHING = "clothing"
    OTHER = "other"


class PropertyItem(db.Model):
    """Something of the witness's the investigation took as evidence, until it is returned."""

    __tablename__ = "property_items"
    __audit_type__ = "property_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    taken_on: Mapped[date]
    taken_by: Mapped[str] = mapped_column(sa.String(200))
    exhibit_reference: Mapped[str] = mapped_column(sa.String(100), default="")
    held_at: Mapped[str] = mapped_column(sa.String(200), default="")
    needed_urgently: Mapped[bool] = mapped_column(default=False)
    needed_for: Mapped[str] = mapped_column(sa.String(300), default="")
    return_requested_on: Mapped[date | None]
    collectable_from: Mapped[date | None]
    returned_on: Mapped[date | None]
    not_returned_reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    @property
    def audit_witness_id(self) -> int:
        return self.witness_id

    @property
    def held(self) -> bool:
        return self.returned_on is None

    def __repr__(self) -> str:
        return f"<PropertyItem {self.id} witness={self.witness_id} {self.kind}>"
