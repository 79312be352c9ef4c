"""Remedies rules: amounts positive in ISO 4217 currencies, an award above the claim needs a reason,
no payment once the award is fully paid, a permit cannot expire before issue, property cannot come
back before it was taken. Each refusal names the field and saves nothing; each change is audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.helpers import future, past
from witness_support.audit import AuditEvent
from witness_support.errors import ValidationFailed
from witness_support.extensions import db
from witness_support.notifications import operations as notify_ops
from witness_support.notifications import sweep
from witness_support.remedies import operations as ops
from witness_support.remedies.models import (
    ChargeAgainstWitness,
    CompensationClaim,
    CompensationPayment,
    PropertyItem,
    ResidencePermit,
)


def _count(model: type) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def _refused(call, field: str, model: type) -> str:  # noqa: ANN001 - a zero-argument callable
    before = _count(model)
    with pytest.raises(ValidationFailed) as caught:
        call()
    db.session.rollback()
    assert _count(model) == before
    assert field in caught.value.field_errors, caught.value.field_errors
    return caught.value.field_errors[field]


def _claim(officer, witness, **fields):  # noqa: ANN001, ANN202
    fields.setdefault("route", "labour_claim")
    fields.setdefault("respondent", "employer")
    fields.setdefault("respondent_name", "Invented Fishing Co.")
    claim = ops.open_claim(officer, witness, **fields)
    db.session.commit()
    return claim


def test_a_claim_keeps_its_amounts_as_decimals_and_is_audited_without_them(app, officer, make_witness):
    witness = make_witness()
    claim = _claim(officer, witness, heads_of_loss=["unpaid_wages", "moral_damage"], amount_claimed="12500.50",
                   claimed_currency="eur", limitation_on=future(400), acting="Invented Legal Aid Centre")
    db.session.expire_all()
    claim = db.session.get(CompensationClaim, claim.id)
    assert claim.amount_claimed == Decimal("12500.50") and claim.claimed_currency == "EUR"
    assert claim.status == "preparing" and claim.heads_of_loss == ["unpaid_wages", "moral_damage"]
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "remedies.claim_open")).scalar_one()
    assert event.witness_id == witness.id and "12500" not in str(event.details)


@pytest.mark.parametrize(("amount", "message"), [
    ("0", "more than zero"), ("-5", "more than zero"), ("ten", "as a number"), ("1.005", "two decimal"),
    ("NaN", "as a number"), ("1e20", "too large"),
])
def test_a_claimed_amount_must_be_a_positive_sum(app, officer, make_witness, amount, message):
    witness = make_witness()
    text = _refused(lambda: ops.open_claim(officer, witness, route="state_fund", respondent="state",
                                           amount_claimed=amount, claimed_currency="EUR"),
                    "amount_claimed", CompensationClaim)
    assert message in text


@pytest.mark.parametrize("code", ["", "EURO", "XYZ", "eu"])
def test_a_currency_must_be_an_iso_4217_code(app, officer, make_witness, code):
    witness = make_witness()
    text = _refused(lambda: ops.open_claim(officer, witness, route="state_fund", respondent="state",
                                           amount_claimed="100", claimed_currency=code),
                    "claimed_currency", CompensationClaim)
    assert "ISO 4217" in text


def test_an_award_above_the_claim_needs_a_stated_reason(app, officer, make_witness):
    witness = make_witness()
    claim = _claim(officer, witness, amount_claimed="1000.00", claimed_currency="EUR")
    before = _count(AuditEvent)
    text = _refused(lambda: ops.record_award(officer, claim, amount_awarded="1200", awarded_currency="EUR",
                                             awarded_on=past(1)), "award_reason", CompensationClaim)
    assert "more than was claimed" in text
    db.session.expire_all()
    assert db.session.get(CompensationClaim, claim.id).amount_awarded is None
    assert _count(AuditEvent) == before
    ops.record_award(officer, claim, amount_awarded="1200", awarded_currency="EUR", awarded_on=past(1),
                     award_reason="Interest since the wages fell due")
    db.session.commit()
    assert claim.amount_awarded == Decimal("1200.00") and claim.status == "awarded"


def test_an_award_at_or_below_the_claim_needs_no_reason(app, officer, make_witness):
    claim = _claim(officer, make_witness(), amount_claimed="1000.00", claimed_currency="EUR")
    ops.record_award(officer, claim, amount_awarded="1000.00", awarded_currency="EUR", payment_due_on=future(30))
    db.session.commit()
    assert claim.status == "awarded" and claim.outstanding == Decimal("1000.00")


def test_payments_are_instalments_until_the_award_is_fully_paid_then_refused(app, officer, make_witness):
    claim = _claim(officer, make_witness(), amount_claimed="900", claimed_currency="EUR",
                   amount_awarded="900", awarded_currency="EUR")
    ops.record_payment(officer, claim, amount="400", currency="EUR", paid_on=past(10))
    db.session.commit()
    assert claim.status == "awarded" and claim.outstanding == Decimal("500.00")
    ops.record_payment(officer, claim, amount="500", currency="EUR", paid_on=past(2), note="Final instalment")
    db.session.commit()
    assert claim.status == "paid" and claim.fully_paid
    text = _refused(lambda: ops.record_payment(officer, claim, amount="1", currency="EUR", paid_on=past(1)),
                    "amount", CompensationPayment)
    assert "already fully paid" in text
    assert [p.amount for p in claim.payments] == [Decimal("400.00"), Decimal("500.00")]


def test_a_payment_needs_an_award_a_positive_amount_and_a_date(app, officer, make_witness):
    claim = _claim(officer, make_witness(), amount_claimed="900", claimed_currency="EUR")
    assert "award" in _refused(lambda: ops.record_payment(officer, claim, amount="10", currency="EUR",
                                                          paid_on=past(1)), "amount", CompensationPayment)
    ops.record_award(officer, claim, amount_awarded="900", awarded_currency="EUR")
    db.session.commit()
    assert "more than zero" in _refused(lambda: ops.record_payment(officer, claim, amount="-3", currency="EUR",
                                                                   paid_on=past(1)), "amount", CompensationPayment)
    assert "date" in _refused(lambda: ops.record_payment(officer, claim, amount="3", currency="EUR", paid_on=None),
                              "paid_on", CompensationPayment)
    assert "future" in _refused(lambda: ops.record_payment(officer, claim, amount="3", currency="EUR",
                                                           paid_on=future(5)), "paid_on", CompensationPayment)


def test_a_claim_against_a_defendant_names_one_of_the_witness_case(app, officer, trial_case, make_case):
    trial = trial_case()
    claim = _claim(officer, trial.witness, route="civil_claim", respondent="defendant", case_id=trial.case.id,
                   defendant_id=trial.defendant.id)
    assert claim.defendant_id == trial.defendant.id
    other = make_case()
    _refused(lambda: ops.open_claim(officer, trial.witness, route="civil_claim", respondent="defendant",
                                    case_id=other.id, defendant_id=trial.defendant.id), "case_id", CompensationClaim)
    _refused(lambda: ops.open_claim(officer, trial.witness, route="civil_claim", respondent="defendant",
                                    case_id=trial.case.id), "defendant_id", CompensationClaim)


def test_a_permit_cannot_expire_before_it_was_issued(app, officer, make_witness):
    witness = make_witness()
    text = _refused(lambda: ops.record_permit(officer, witness, kind="temporary_witness", issued_on=past(10),
                                              expires_on=past(11), number="INV-123"),
                    "expires_on", ResidencePermit)
    assert "before it was issued" in text
    permit = ops.record_permit(officer, witness, kind="temporary_witness", issued_on=past(10), expires_on=future(170),
                               number="INV-123", depends_on_case="proceedings")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ResidencePermit, permit.id).number == "INV-123"
    stored = db.session.execute(sa.text("SELECT number FROM residence_permits")).scalar_one()
    assert "INV-123" not in stored  # encrypted at rest, like every identity field


def test_a_permit_refuses_an_unknown_kind_and_dates_out_of_range(app, officer, make_witness):
    witness = make_witness()
    _refused(lambda: ops.record_permit(officer, witness, kind="golden_visa", issued_on=past(1)), "kind",
             ResidencePermit)
    _refused(lambda: ops.record_permit(officer, witness, kind="humanitarian", issued_on=None), "issued_on",
             ResidencePermit)
    _refused(lambda: ops.record_permit(officer, witness, kind="humanitarian", issued_on=future(30)), "issued_on",
             ResidencePermit)


def test_a_charge_records_the_prosecutor_decision_with_its_date(app, officer, make_witness):
    witness = make_witness()
    charge = ops.record_charge(officer, witness, offence="document", arose_from_trafficking="yes",
                               details="False passport supplied by the recruiter")
    db.session.commit()
    assert charge.pending
    assert "date of the prosecutor" in _refused(lambda: ops.decide_charge(officer, charge, decision="discontinued",
                                                                 decided_on=None), "decided_on", ChargeAgainstWitness)
    db.session.expire_all()
    charge = db.session.get(ChargeAgainstWitness, charge.id)
    assert charge.decision == "pending"
    ops.decide_charge(officer, charge, decision="discontinued", decided_on=past(3))
    db.session.commit()
    assert not charge.pending
    _refused(lambda: ops.record_charge(officer, witness, offence="jaywalking"), "offence", ChargeAgainstWitness)


def test_property_cannot_be_returned_before_it_was_taken(app, officer, make_witness):
    witness = make_witness()
    item = ops.record_property(officer, witness, kind="passport", taken_on=past(20), taken_by="Invented Police Unit",
                               exhibit_reference="EX-7", held_at="Evidence store", needed_urgently=True,
                               needed_for="Residence application")
    db.session.commit()
    text = _refused(lambda: ops.record_property_return(officer, item, returned_on=past(21)), "returned_on",
                    PropertyItem)
    assert "before it was taken" in text
    db.session.expire_all()
    item = db.session.get(PropertyItem, item.id)
    assert item.returned_on is None and item.held
    ops.record_property_return(officer, item, returned_on=past(1))
    db.session.commit()
    assert not item.held
    assert "already" in _refused(lambda: ops.record_property_return(officer, item, returned_on=past(0)),
                                 "returned_on", PropertyItem)
    actions = set(db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.witness_id == witness.id)).scalars())
    assert {"remedies.property", "remedies.property_return"} <= actions


def test_property_needs_who_took_it(app, officer, make_witness):
    witness = make_witness()
    _refused(lambda: ops.record_property(officer, witness, kind="phone", taken_on=past(2), taken_by=" "), "taken_by",
             PropertyItem)


def test_the_witness_is_told_when_an_item_can_be_collected(app, officer, make_witness, smtp_server):
    witness = make_witness()
    notify_ops.set_preferences(officer, witness, channel="email", email="safe@example.test", contact_is_safe=True,
                               language="en")
    item = ops.record_property(officer, witness, kind="identity_card", taken_on=past(20), taken_by="Invented Police")
    ops.record_property_return(officer, item, return_requested_on=past(2), collectable_from=future(3))
    db.session.commit()
    sweep.send_due()
    [body] = smtp_server.bodies()
    assert f"identity card taken as evidence can be collected from {future(3).isoformat()}" in body
