"""The rules of remedies: claims, awards and payments; residence permits; charges against the
witness; property taken as evidence and its return. Each operation validates, changes, flushes
and audits; none commits. A refusal (ValidationFailed) names the field and changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from .. import audit
from ..auth.models import User
from ..cases.models import Defendant, Journey
from ..dates import check_date
from ..db import utc_now
from ..errors import ValidationFailed
from ..extensions import db
from ..ledger.currencies import ISO_4217
from ..notifications.models import Kind
from ..notifications.operations import queue_notice
from ..witnesses.models import Witness
from .models import (
    Arose,
    CaseDependence,
    ChargeAgainstWitness,
    ChargeDecision,
    ClaimStatus,
    CompensationClaim,
    CompensationPayment,
    HeadOfLoss,
    Offence,
    PermitKind,
    PropertyItem,
    PropertyKind,
    ResidencePermit,
    Respondent,
    Route,
)

MAX_AMOUNT = Decimal("999999999999.99")  # what Numeric(14, 2) holds
# The range each date must fall in (dates.RULES): what has happened, and what is planned.
PAST, FUTURE = "court_past", "court_future"


def _text(value: Any, limit: int, field: str, errors: dict[str, str]) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if len(text) > limit:
        errors[field] = f"At most {limit} characters."
    return text


def _amount(value: Any, field: str, errors: dict[str, str], *, required: bool = False) -> Decimal | None:
    """A positive amount with at most two decimals, or None; a problem goes to `errors`."""
    if value is None or value == "":
        if required:
            errors[field] = "Give the amount."
        return None
    if isinstance(value, bool):
        errors[field] = "Give the amount as a number, such as 1250.00."
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = "Give the amount as a number, such as 1250.00."
        return None
    if not amount.is_finite():
        errors[field] = "Give the amount as a number, such as 1250.00."
    elif amount <= 0:
        errors[field] = "The amount must be more than zero."
    elif amount > MAX_AMOUNT:
        errors[field] = "That amount is too large; check the figure."
    elif amount != amount.quantize(Decimal("0.01")):
        errors[field] = "At most two decimal places."
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def _currency(value: Any, field: str, errors: dict[str, str]) -> str | None:
    code = (value or "").strip().upper() if isinstance(value, str) else value
    if not code:
        errors[field] = "Give the currency as an ISO 4217 code, such as EUR."
        return None
    if not isinstance(code, str) or code not in ISO_4217:
        errors[field] = "Give the currency as an ISO 4217 code, such as EUR."
        return None
    return code


def _choice(value: Any, choices: type, field: str, errors: dict[str, str], words: str) -> str | None:
    if value not in set(choices):
        errors[field] = f"Choose {words}."
        return None
    return value


def _dates(values: dict[str, Any], rules: dict[str, str], errors: dict[str, str]) -> None:
    for name, rule in rules.items():
        value = values.get(name)
        if value is not None and not isinstance(value, date):
            errors[name] = "Give a date as YYYY-MM-DD."
        else:
            check_date(errors, name, value, rule)


def _witness_case(witness: Witness, case_id: int | None, errors: dict[str, str]) -> int | None:
    """The case id when the witness is a witness in it; the same words whether the case exists or not."""
    if case_id is None:
        return None
    found = db.session.execute(
        sa.select(Journey.id).where(Journey.witness_id == witness.id, Journey.case_id == case_id)
    ).first()
    if found is None:
        errors["case_id"] = "Choose one of the witness's cases."
        return None
    return case_id


# ---- compensation claims ----------------------------------------------------------------------

CLAIM_DATES = {"limitation_on": FUTURE, "filing_due_on": FUTURE, "filed_on": PAST, "hearing_on": FUTURE,
               "payment_due_on": FUTURE, "awarded_on": PAST}


def _check_award(claimed: Decimal | None, claimed_currency: str | None, awarded: Decimal | None,
                 awarded_currency: str | None, reason: str, errors: dict[str, str]) -> None:
    if (awarded is not None and claimed is not None and awarded_currency == claimed_currency
            and awarded > claimed and not reason):
        errors["award_reason"] = (
            "The award is more than was claimed: say why (interest, the court's own assessment…).")


def open_claim(  # noqa: C901 - one check per rule, each with its own message
    actor: User,
    witness: Witness,
    *,
    route: str,
    respondent: str,
    case_id: int | None = None,
    defendant_id: int | None = None,
    respondent_name: str = "",
    heads_of_loss: list[str] | None = None,
    amount_claimed: Any = None,
    claimed_currency: str | None = None,
    amount_awarded: Any = None,
    awarded_currency: str | None = None,
    awarded_on: date | None = None,
    award_reason: str = "",
    limitation_on: date | None = None,
    filing_due_on: date | None = None,
    filed_on: date | None = None,
    hearing_on: date | None = None,
    payment_due_on: date | None = None,
    status: str | None = None,
    acting: str = "",
    outcome_id: int | None = None,
) -> CompensationClaim:
    """Record a claim the witness makes (or will make) for compensation."""
    errors: dict[str, str] = {}
    route = _choice(route, Route, "route", errors,
                    "criminal order, civil claim, labour claim, state fund or other")
    respondent = _choice(respondent, Respondent, "respondent", errors, "a defendant, an employer, the state or other")
    case_id = _witness_case(witness, case_id, errors)
    if respondent == Respondent.DEFENDANT:
        defendant = db.session.get(Defendant, defendant_id) if isinstance(defendant_id, int) else None
        if defendant is None or case_id is None or defendant.case_id != case_id:
            errors["defendant_id"] = "Choose the defendant of the witness's case the claim is against."
    elif defendant_id is not None:
        errors["defendant_id"] = "Only a claim against a defendant names one."
    respondent_name = _text(respondent_name, 200, "respondent_name", errors)
    named = respondent in (Respondent.EMPLOYER, Respondent.OTHER)
    if named and not respondent_name and "respondent_name" not in errors:
        errors["respondent_name"] = "Name who the claim is against."
    heads = list(dict.fromkeys(heads_of_loss or []))
    if any(h not in set(HeadOfLoss) for h in heads):
        errors["heads_of_loss"] = "Choose heads of loss from the list."
    claimed = _amount(amount_claimed, "amount_claimed", errors)
    claimed_currency = _currency(claimed_currency, "claimed_currency", errors) if claimed is not None else None
    awarded = _amount(amount_awarded, "amount_awarded", errors)
    awarded_currency = _currency(awarded_currency, "awarded_currency", errors) if awarded is not None else None
    award_reason = _text(award_reason, 2000, "award_reason", errors)
    values = {"limitation_on": limitation_on, "filing_due_on": filing_due_on, "filed_on": filed_on,
              "hearing_on": hearing_on, "payment_due_on": payment_due_on, "awarded_on": awarded_on}
    _dates(values, CLAIM_DATES, errors)
    _check_award(claimed, claimed_currency, awarded, awarded_currency, award_reason, errors)
    if status is None:
        status = ClaimStatus.AWARDED if awarded is not None else (
            ClaimStatus.FILED if filed_on else ClaimStatus.PREPARING)
    elif status not in set(ClaimStatus) or status == ClaimStatus.PAID:
        errors["status"] = "Choose preparing, filed, heard, awarded, refused or withdrawn."
    acting = _text(acting, 200, "acting", errors)
    if errors:
        raise ValidationFailed(errors)
    claim = CompensationClaim(
        witness_id=witness.id, case_id=case_id, route=route, respondent=respondent,
        defendant_id=defendant_id if respondent == Respondent.DEFENDANT else None,
        respondent_name=respondent_name, heads_of_loss=heads, amount_claimed=claimed,
        claimed_currency=claimed_currency, amount_awarded=awarded, awarded_currency=awarded_currency,
        award_reason=award_reason, status=status, acting=acting, outcome_id=outcome_id,
        created_by_id=getattr(actor, "id", None), **values,
    )
    db.session.add(claim)
    db.session.flush()
    # The trail names the route and respondent kind, never the amounts.
    audit.record("remedies.claim_open", claim, actor=actor,
                 details={"route": route, "respondent": respondent, "case_id": case_id})
    return claim


def record_award(
    actor: User,
    claim: CompensationClaim,
    *,
    amount_awarded: Any,
    awarded_currency: str | None,
    awarded_on: date | None = None,
    payment_due_on: date | None = None,
    award_reason: str = "",
) -> CompensationClaim:
    """The decision on a claim: what was awarded, and by when it is to be paid."""
    errors: dict[str, str] = {}
    awarded = _amount(amount_awarded, "amount_awarded", errors, required=True)
    currency = _currency(awarded_currency, "awarded_currency", errors)
    award_reason = _text(award_reason, 2000, "award_reason", errors)
    _dates({"awarded_on": awarded_on, "payment_due_on": payment_due_on}, CLAIM_DATES, errors)
    if awarded_on and payment_due_on and isinstance(awarded_on, date) and isinstance(payment_due_on, date) \
            and payment_due_on < awarded_on and "payment_due_on" not in errors:
        errors["payment_due_on"] = "Payment cannot be due before the award was made."
    _check_award(claim.amount_claimed, claim.claimed_currency, awarded, currency, award_reason, errors)
    if claim.payments and currency != claim.awarded_currency and "awarded_currency" not in errors:
        errors["awarded_currency"] = "Payments are already recorded in the award's currency; keep it."
    if errors:
        raise ValidationFailed(errors)
    claim.amount_awarded, claim.awarded_currency, claim.award_reason = awarded, currency, award_reason
    claim.awarded_on = awarded_on or claim.awarded_on
    claim.payment_due_on = payment_due_on or claim.payment_due_on
    claim.status = ClaimStatus.PAID if claim.fully_paid else ClaimStatus.AWARDED
    db.session.flush()
    audit.record("remedies.award", claim, actor=actor, details={"status": claim.status})
    return claim


def record_payment(
    actor: User, claim: CompensationClaim, *, amount: Any, currency: str | None, paid_on: date | None,
    note: str = "",
) -> CompensationPayment:
    """One instalment paid on the award; refused once the award is fully paid."""
    errors: dict[str, str] = {}
    if claim.amount_awarded is None:
        raise ValidationFailed({"amount": "Record the award before a payment on it."})
    if claim.fully_paid:
        raise ValidationFailed({"amount": "The award is already fully paid: no further payment can be recorded."})
    value = _amount(amount, "amount", errors, required=True)
    currency = _currency(currency, "currency", errors)
    note = _text(note, 2000, "note", errors)
    if paid_on is None:
        errors["paid_on"] = "Give the date it was paid."
    else:
        _dates({"paid_on": paid_on}, {"paid_on": PAST}, errors)
    if errors:
        raise ValidationFailed(errors)
    payment = CompensationPayment(claim_id=claim.id, paid_on=paid_on, amount=value, currency=currency, note=note,
                                  recorded_by_id=getattr(actor, "id", None))
    db.session.add(payment)
    db.session.flush()
    db.session.refresh(claim, ["payments"])
    if claim.fully_paid:
        claim.status = ClaimStatus.PAID
    db.session.flush()
    audit.record("remedies.payment", payment, actor=actor,
                 details={"claim_id": claim.id, "fully_paid": claim.fully_paid})
    return payment


# ---- residence permits -------------------------------------------------------------------------


def record_permit(
    actor: User, witness: Witness, *, kind: str, issued_on: date | None, expires_on: date | None = None,
    number: str = "", depends_on_case: str = CaseDependence.INDEPENDENT, case_id: int | None = None,
    note: str = "",
) -> ResidencePermit:
    """Record a residence permit; its expiry cannot be before it was issued."""
    errors: dict[str, str] = {}
    kind = _choice(kind, PermitKind, "kind", errors, "the kind of permit from the list")
    depends_on_case = _choice(depends_on_case, CaseDependence, "depends_on_case", errors,
                              "whether it depends on cooperation, on the proceedings, or not on the case")
    number = _text(number, 100, "number", errors)
    note = _text(note, 2000, "note", errors)
    case_id = _witness_case(witness, case_id, errors)
    if issued_on is None:
        errors["issued_on"] = "Give the date the permit was issued."
    _dates({"issued_on": issued_on, "expires_on": expires_on}, {"issued_on": PAST, "expires_on": "release"}, errors)
    if (isinstance(issued_on, date) and isinstance(expires_on, date) and expires_on < issued_on
            and "expires_on" not in errors):
        errors["expires_on"] = "The permit cannot expire before it was issued."
    if errors:
        raise ValidationFailed(errors)
    permit = ResidencePermit(witness_id=witness.id, case_id=case_id, kind=kind, number=number, issued_on=issued_on,
                             expires_on=expires_on, depends_on_case=depends_on_case, note=note,
                             created_by_id=getattr(actor, "id", None))
    db.session.add(permit)
    db.session.flush()
    audit.record("remedies.permit", permit, actor=actor, details={"kind": kind})
    return permit


# ---- charges against the witness (non-punishment) ----------------------------------------------


def record_charge(
    actor: User, witness: Witness, *, offence: str, arose_from_trafficking: str = "unknown", details: str = "",
    decision: str = ChargeDecision.PENDING, decided_on: date | None = None,
) -> ChargeAgainstWitness:
    errors: dict[str, str] = {}
    offence = _choice(offence, Offence, "offence", errors,
                      "immigration, document, prostitution-related, drug, theft or other")
    arose = _choice(arose_from_trafficking, Arose, "arose_from_trafficking", errors, "yes, no or unknown")
    decision = _choice(decision, ChargeDecision, "decision", errors,
                       "pending, discontinued, not prosecuted or convicted")
    details = _text(details, 2000, "details", errors)
    _check_decision(decision, decided_on, errors)
    if errors:
        raise ValidationFailed(errors)
    charge = ChargeAgainstWitness(witness_id=witness.id, offence=offence, arose_from_trafficking=arose,
                                  details=details, decision=decision, decided_on=decided_on,
                                  created_by_id=getattr(actor, "id", None))
    db.session.add(charge)
    db.session.flush()
    audit.record("remedies.charge", charge, actor=actor, details={"offence": offence, "decision": decision})
    return charge


def _check_decision(decision: str | None, decided_on: date | None, errors: dict[str, str]) -> None:
    _dates({"decided_on": decided_on}, {"decided_on": PAST}, errors)
    if decision == ChargeDecision.PENDING and decided_on is not None and "decided_on" not in errors:
        errors["decided_on"] = "A pending charge has no decision date yet."
    elif decision and decision != ChargeDecision.PENDING and decided_on is None and "decided_on" not in errors:
        errors["decided_on"] = "Give the date of the prosecutor's decision."


def decide_charge(actor: User, charge: ChargeAgainstWitness, *, decision: str,
                  decided_on: date | None) -> ChargeAgainstWitness:
    """The prosecutor's decision on a charge against the witness."""
    errors: dict[str, str] = {}
    decision = _choice(decision, ChargeDecision, "decision", errors,
                       "pending, discontinued, not prosecuted or convicted")
    _check_decision(decision, decided_on, errors)
    if errors:
        raise ValidationFailed(errors)
    before = charge.decision
    charge.decision, charge.decided_on = decision, decided_on
    db.session.flush()
    audit.record("remedies.charge_decision", charge, actor=actor, details={"from": before, "to": decision})
    return charge


# ---- property taken as evidence ----------------------------------------------------------------


def record_property(
    actor: User, witness: Witness, *, kind: str, taken_on: date | None, taken_by: str, description: str = "",
    exhibit_reference: str = "", held_at: str = "", needed_urgently: bool = False, needed_for: str = "",
    case_id: int | None = None, return_requested_on: date | None = None,
) -> PropertyItem:
    errors: dict[str, str] = {}
    kind = _choice(kind, PropertyKind, "kind", errors,
                   "passport, identity card, phone, money, documents, clothing or other")
    taken_by = _text(taken_by, 200, "taken_by", errors)
    if not taken_by and "taken_by" not in errors:
        errors["taken_by"] = "Say who took it (the force or office, and the officer if known)."
    description = _text(description, 2000, "description", errors)
    exhibit_reference = _text(exhibit_reference, 100, "exhibit_reference", errors)
    held_at = _text(held_at, 200, "held_at", errors)
    needed_for = _text(needed_for, 300, "needed_for", errors)
    case_id = _witness_case(witness, case_id, errors)
    if taken_on is None:
        errors["taken_on"] = "Give the date it was taken."
    _dates({"taken_on": taken_on, "return_requested_on": return_requested_on},
           {"taken_on": PAST, "return_requested_on": PAST}, errors)
    if (isinstance(taken_on, date) and isinstance(return_requested_on, date) and return_requested_on < taken_on
            and "return_requested_on" not in errors):
        errors["return_requested_on"] = "Its return cannot have been requested before it was taken."
    if errors:
        raise ValidationFailed(errors)
    item = PropertyItem(
        witness_id=witness.id, case_id=case_id, kind=kind, taken_on=taken_on, taken_by=taken_by,
        description=description, exhibit_reference=exhibit_reference, held_at=held_at,
        needed_urgently=bool(needed_urgently), needed_for=needed_for, return_requested_on=return_requested_on,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(item)
    db.session.flush()
    audit.record("remedies.property", item, actor=actor,
                 details={"kind": kind, "needed_urgently": item.needed_urgently})
    return item


def record_property_return(
    actor: User, item: PropertyItem, *, returned_on: date | None = None, collectable_from: date | None = None,
    return_requested_on: date | None = None, not_returned_reason: str | None = None,
) -> PropertyItem:
    """Its return requested, a date from which it can be collected, its return, or why not.

    A return before the item was taken is refused."""
    errors: dict[str, str] = {}
    if item.returned_on is not None and returned_on is not None:
        raise ValidationFailed({"returned_on": "This item is already recorded as returned."})
    reason = _text(not_returned_reason, 2000, "not_returned_reason", errors) if not_returned_reason is not None \
        else None
    _dates({"returned_on": returned_on, "return_requested_on": return_requested_on},
           {"returned_on": PAST, "return_requested_on": PAST}, errors)
    _dates({"collectable_from": collectable_from}, {"collectable_from": FUTURE}, errors)
    for name, value, words in (("returned_on", returned_on, "returned"),
                               ("collectable_from", collectable_from, "ready to collect"),
                               ("return_requested_on", return_requested_on, "requested back")):
        if isinstance(value, date) and value < item.taken_on and name not in errors:
            errors[name] = f"It cannot be {words} before it was taken ({item.taken_on.isoformat()})."
    if returned_on is None and collectable_from is None and return_requested_on is None and not reason:
        errors.setdefault("returned_on", "Give a return date, a collection date, a request date or why it is kept.")
    if errors:
        raise ValidationFailed(errors)
    if return_requested_on is not None:
        item.return_requested_on = return_requested_on
    if collectable_from is not None:
        item.collectable_from = collectable_from
    if returned_on is not None:
        item.returned_on = returned_on
    if reason is not None:
        item.not_returned_reason = reason
    db.session.flush()
    if collectable_from is not None and item.returned_on is None:
        # Told through the witness's notices and preferences (an SMS says only "there is news").
        queue_notice(item.witness_id, Kind.PROPERTY_COLLECTABLE, case_id=item.case_id, triggered_at=utc_now(),
                     context={"item": item.kind.replace("_", " "), "item_kind": item.kind,
                              "collectable_from": collectable_from.isoformat()},
                     dedup_key=f"property-collectable:i{item.id}:{collectable_from.isoformat()}")
    audit.record("remedies.property_return", item, actor=actor, details={
        "returned": item.returned_on is not None, "collectable": item.collectable_from is not None})
    return item
