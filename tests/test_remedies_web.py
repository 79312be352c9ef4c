"""The witness's remedies page: a claim, an award, a part payment, a permit, a charge and a
property return recorded through the forms (post/redirect/get), refusals shown next to the field
with nothing saved, and the page hidden (404) from people who may not see it."""

from __future__ import annotations

import sqlalchemy as sa

from tests.helpers import future, past
from witness_support.extensions import db
from witness_support.remedies import operations as ops
from witness_support.remedies.models import (
    ChargeAgainstWitness,
    CompensationClaim,
    CompensationPayment,
    PropertyItem,
    ResidencePermit,
)
from witness_support.witnesses import operations as witness_ops


def _count(model: type) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_officer_records_a_claim_award_and_part_payment(app, client, auth, officer, make_witness):
    witness = make_witness()
    auth.login(officer)
    page = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    assert f"/witnesses/{witness.id}/remedies" in page
    response = client.post(f"/witnesses/{witness.id}/remedies/claims/new", data={
        "route": "labour_claim", "respondent": "employer", "respondent_name": "Invented Fishing Co.",
        "heads_of_loss": ["unpaid_wages"], "amount_claimed": "3000.00", "claimed_currency": "EUR",
        "case_id": "0", "defendant_id": "0", "status": "filed", "filed_on": past(5).isoformat(),
        "hearing_on": future(40).isoformat(), "acting": "Invented Workers' Law Centre",
    })
    assert response.status_code == 302 and response.location.endswith("#claims-title")
    claim = db.session.execute(sa.select(CompensationClaim)).scalar_one()
    response = client.post(f"/remedies/claims/{claim.id}/award", data={
        "amount_awarded": "3500", "awarded_currency": "EUR", "awarded_on": past(1).isoformat()})
    assert response.status_code == 200
    assert "more than was claimed" in response.get_data(as_text=True)
    response = client.post(f"/remedies/claims/{claim.id}/award", data={
        "amount_awarded": "2500", "awarded_currency": "EUR", "awarded_on": past(1).isoformat(),
        "payment_due_on": future(30).isoformat()})
    assert response.status_code == 302
    response = client.post(f"/remedies/claims/{claim.id}/payments/new", data={
        "amount": "1000", "currency": "EUR", "paid_on": past(0).isoformat()})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Labour claim for unpaid wages" in page and "Invented Fishing Co." in page
    assert "1,000.00 EUR; outstanding 1,500.00 EUR" in page


def test_bad_payment_is_shown_next_to_the_field_and_nothing_saved(app, client, auth, officer, make_witness):
    witness = make_witness()
    auth.login(officer)
    client.post(f"/witnesses/{witness.id}/remedies/claims/new", data={
        "route": "state_fund", "respondent": "state", "case_id": "0", "defendant_id": "0", "status": "preparing"})
    claim = db.session.execute(sa.select(CompensationClaim)).scalar_one()
    client.post(f"/remedies/claims/{claim.id}/award", data={"amount_awarded": "100", "awarded_currency": "EUR"})
    response = client.post(f"/remedies/claims/{claim.id}/payments/new", data={
        "amount": "-20", "currency": "EURO", "paid_on": past(0).isoformat()})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="amount-error"' in body and "more than zero" in body
    assert 'id="currency-error"' in body and "ISO 4217" in body
    assert _count(CompensationPayment) == 0


def test_permit_charge_and_property_return_through_the_forms(app, client, auth, officer, make_witness):
    witness = make_witness()
    auth.login(officer)
    response = client.post(f"/witnesses/{witness.id}/remedies/permits/new", data={
        "kind": "temporary_witness", "number": "INV-PERMIT-9", "issued_on": past(10).isoformat(),
        "expires_on": past(20).isoformat(), "depends_on_case": "proceedings", "case_id": "0"})
    assert response.status_code == 200 and "cannot expire before it was issued" in response.get_data(as_text=True)
    assert _count(ResidencePermit) == 0
    response = client.post(f"/witnesses/{witness.id}/remedies/permits/new", data={
        "kind": "temporary_witness", "number": "INV-PERMIT-9", "issued_on": past(10).isoformat(),
        "expires_on": future(90).isoformat(), "depends_on_case": "proceedings", "case_id": "0"})
    assert response.status_code == 302
    response = client.post(f"/witnesses/{witness.id}/remedies/charges/new", data={
        "offence": "immigration", "arose_from_trafficking": "yes", "decision": "pending"})
    assert response.status_code == 302
    response = client.post(f"/witnesses/{witness.id}/remedies/property/new", data={
        "kind": "passport", "taken_on": past(30).isoformat(), "taken_by": "Invented Police Unit",
        "exhibit_reference": "EX-12", "needed_urgently": "y", "needed_for": "Residence application", "case_id": "0"})
    assert response.status_code == 302
    item = db.session.execute(sa.select(PropertyItem)).scalar_one()
    response = client.post(f"/remedies/property/{item.id}/return", data={"returned_on": past(31).isoformat()})
    assert response.status_code == 200 and "before it was taken" in response.get_data(as_text=True)
    response = client.post(f"/remedies/property/{item.id}/return", data={"returned_on": past(1).isoformat()})
    assert response.status_code == 302
    page = client.get(f"/witnesses/{witness.id}/remedies").get_data(as_text=True)
    assert "INV-PERMIT-9" in page and "Immigration" in page and f"Returned {past(1).isoformat()}" in page
    assert _count(ChargeAgainstWitness) == 1


def test_people_who_may_not_see_get_404(app, client, auth, officer, make_witness, make_user):
    witness = make_witness()
    item_owner = officer
    item = ops.record_property(item_owner, witness, kind="phone", taken_on=past(3), taken_by="Invented Police")
    claim = ops.open_claim(item_owner, witness, route="state_fund", respondent="state")
    db.session.commit()
    stranger = make_user("liaison_officer")
    auth.login(stranger)
    for url in (f"/witnesses/{witness.id}/remedies", f"/remedies/property/{item.id}/return",
                f"/remedies/claims/{claim.id}/award", f"/witnesses/{witness.id}/remedies/permits/new",
                "/witnesses/999999/remedies"):
        assert client.get(url).status_code == 404, url


def test_the_timeline_shows_each_event_to_those_who_see_its_group(app, client, auth, officer, make_witness,
                                                                   make_user):
    witness = make_witness()
    claim = ops.open_claim(officer, witness, route="state_fund", respondent="state", amount_awarded="300",
                           awarded_currency="EUR", awarded_on=past(5))
    ops.record_payment(officer, claim, amount="100", currency="EUR", paid_on=past(2))
    ops.record_permit(officer, witness, kind="humanitarian", issued_on=past(30), expires_on=future(300))
    item = ops.record_property(officer, witness, kind="passport", taken_on=past(40), taken_by="Invented Police")
    ops.record_property_return(officer, item, returned_on=past(1))
    interpreter = make_user("support_person")
    witness_ops.assign_support(officer, witness, interpreter, "interpreter")
    db.session.commit()
    auth.login(officer)
    page = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    for words in ("Compensation awarded: 300.00 EUR", "Compensation paid: 100.00 EUR",
                  "Residence permit issued", "Taken as evidence: passport", "Returned: passport"):
        assert words in page, words
    auth.logout()
    auth.login(interpreter)
    page = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    assert "Compensation" not in page and "Residence permit" not in page and "Taken as evidence" not in page
