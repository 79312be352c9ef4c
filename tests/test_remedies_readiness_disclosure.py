"""Remedies on the court's readiness and the disclosure schedule: a permit expiring before a trial
day blocks it; a pending charge is shown to the prosecutor without blocking; the schedule lists the
claims a witness made against a defendant (page, JSON and CSV), outside the benefits ledger and its totals."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from tests.helpers import CANARY_OFFENDER, future, past
from witness_support.cases import operations as case_ops
from witness_support.court import operations as court_ops
from witness_support.court import readiness
from witness_support.extensions import db
from witness_support.ledger import operations as ledger_ops
from witness_support.remedies import operations as ops
from witness_support.services import operations as services_ops
from witness_support.services.models import READINESS_TOPICS
from witness_support.witnesses import operations as witness_ops


@pytest.fixture
def ready(officer, support_person, make_case, make_witness, make_journey, make_event, assess):  # noqa: ANN001, ANN201
    """A witness ready for a trial day in 30 days."""
    case = make_case()
    witness = make_witness(participation="participating", date_of_birth=date(1990, 1, 1))
    make_journey(witness, case)
    assess(witness, "trial")
    witness_ops.assign_support(officer, witness, support_person, "support_worker")
    visit = make_event(case, [witness], kind="familiarisation_visit", days=-3)
    court_ops.mark_event_held(officer, visit)
    trial = make_event(case, [witness], kind="trial_day", days=30)
    court_ops.assign_attendance(officer, trial, witness, support_person)
    for topic in READINESS_TOPICS:  # the court process and aids explained in the witness's language
        services_ops.record_information(officer, witness, topic=topic, method="both",
                                        language=witness.preferred_language)
    db.session.commit()
    return case, witness


def _witness_readiness(case):  # noqa: ANN001, ANN202
    [trial] = readiness.case_readiness(case)
    [witness] = trial.witnesses
    return witness


def test_a_permit_expiring_before_the_trial_day_blocks_it(app, officer, ready):
    case, witness = ready
    ops.record_permit(officer, witness, kind="temporary_witness", issued_on=past(100), expires_on=future(20))
    db.session.commit()
    result = _witness_readiness(case)
    assert [b.code for b in result.blockers] == ["permit_expires"] and not result.ready
    assert result.blockers[0].link == f"/witnesses/{witness.id}/remedies"
    ops.record_permit(officer, witness, kind="temporary_witness", issued_on=past(1), expires_on=future(200))
    db.session.commit()
    assert _witness_readiness(case).ready  # renewed: the latest permit outlasts the trial


def test_no_permit_recorded_is_no_blocker(app, ready):
    case, _ = ready
    assert _witness_readiness(case).ready


def test_a_pending_charge_is_shown_to_the_prosecutor_without_blocking(app, client, auth, officer, prosecutor, ready):
    case, witness = ready
    charge = ops.record_charge(officer, witness, offence="immigration", arose_from_trafficking="yes")
    db.session.commit()
    result = _witness_readiness(case)
    assert result.ready and [n.code for n in result.notes] == ["charge_pending"]
    case_ops.assign_to_case(officer, case, prosecutor)
    db.session.commit()
    auth.login(prosecutor)
    page = client.get(f"/cases/{case.id}/readiness").get_data(as_text=True)
    assert "A charge against the witness is pending" in page
    ops.decide_charge(officer, charge, decision="discontinued", decided_on=past(0))
    db.session.commit()
    assert _witness_readiness(case).notes == []


def test_the_disclosure_schedule_lists_claims_against_a_defendant_outside_the_ledger(
        app, client, auth, officer, trial_case, api_token):
    setup = trial_case()
    ops.open_claim(officer, setup.witness, route="civil_claim", respondent="defendant", case_id=setup.case.id,
                   defendant_id=setup.defendant.id, amount_claimed="4200.00", claimed_currency="EUR",
                   filed_on=past(10))
    ops.open_claim(officer, setup.witness, route="labour_claim", respondent="employer",
                   respondent_name="Invented Employer Ltd", amount_claimed="999.00", claimed_currency="EUR")
    ops.record_charge(officer, setup.witness, offence="document")
    db.session.commit()
    schedule = ledger_ops.build_schedule(case=setup.case)
    [section] = schedule.sections
    [claim] = section.claims
    assert claim.defendant == CANARY_OFFENDER and str(claim.amount_claimed) == "4200.00"
    assert section.pending_charges == 1
    assert schedule.totals == [] and section.rows == []  # compensation stays out of the ledger
    response = client.get(f"/api/v1/cases/{setup.case.id}/disclosure", headers=api_token(officer))
    body = response.get_json()
    assert response.status_code == 200, body
    [listed] = body["witnesses"][0]["compensation_claims"]
    assert (listed["defendant"], listed["amount_claimed"], listed["route"]) == (
        CANARY_OFFENDER, "4200.00", "civil claim")
    auth.login(officer)
    page = client.get(f"/cases/{setup.case.id}/disclosure").get_data(as_text=True)
    assert "Compensation claims against a defendant" in page and "4,200.00 EUR" in page
    assert "Invented Employer Ltd" not in page and "999.00" not in page
    assert "charge(s) against the witness pending" in page


def test_the_disclosure_csv_lists_claims_against_a_defendant_outside_the_totals(
        app, client, auth, officer, trial_case, api_token):
    setup = trial_case()
    claim = ops.open_claim(officer, setup.witness, route="civil_claim", respondent="defendant",
                           case_id=setup.case.id, defendant_id=setup.defendant.id, amount_claimed="4200.00",
                           claimed_currency="EUR", filed_on=past(10))
    ops.open_claim(officer, setup.witness, route="labour_claim", respondent="employer",
                   respondent_name="Invented Employer Ltd", amount_claimed="999.00", claimed_currency="EUR")
    db.session.commit()
    api = app.test_client().get(f"/api/v1/cases/{setup.case.id}/disclosure",
                                headers=api_token(officer) | {"Accept": "text/csv"})
    auth.login(officer)
    page = client.get(f"/cases/{setup.case.id}/disclosure?format=csv")
    for export in (page, api):
        assert export.status_code == 200 and export.mimetype == "text/csv"
        text = export.get_data(as_text=True)
        rows = list(csv.DictReader(io.StringIO(text)))
        [listed] = [r for r in rows if r["record"] == "compensation_claim"]
        assert (listed["witness_reference"], listed["claim_id"], listed["defendant"], listed["kind"]) == (
            setup.witness.reference, str(claim.id), CANARY_OFFENDER, "civil claim")
        assert (listed["amount"], listed["currency"], listed["filed_on"], listed["claim_status"]) == (
            "4200.00", "EUR", past(10).isoformat(), claim.status)
        assert listed["amount_awarded"] == "" and listed["amount_paid"] == ""
        # Not a benefit: no total counts it, and a claim against an employer is not the defence's business.
        assert not [r for r in rows if r["record"] in ("total", "witness_total")]
        assert "Invented Employer Ltd" not in text and "999.00" not in text

