"""The services pages, the readiness blocker for information not given, and the page's fixed
number of statements."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from witness_support.court import operations as court_ops
from witness_support.court import readiness
from witness_support.db import today_utc, utc_now
from witness_support.extensions import db
from witness_support.services import operations as ops
from witness_support.services.models import SERVICES, Consent, Referral
from witness_support.witnesses import operations as witness_ops


def _shelter(officer):
    org = ops.save_organisation(officer, name="Invented Shelter", kind="shelter", services=["accommodation"],
                                confidentiality_agreed_on=today_utc(), confidentiality_document="MoU 1")
    db.session.commit()
    return org


def test_officer_records_consent_and_refers_with_errors_beside_fields(client, auth, officer, make_witness):
    witness = make_witness()
    shelter = _shelter(officer)
    auth.login(officer)
    page = client.get(f"/witnesses/{witness.id}/services")
    assert page.status_code == 200 and b"Services and consent" in page.data
    refused = client.post(f"/witnesses/{witness.id}/services/consents/new", data={
        "purpose": "share_with_organisation", "organisation_id": shelter.id, "service": "accommodation",
        "given_how": "oral"})
    assert refused.status_code == 200 and b"at least one" in refused.data
    assert db.session.execute(sa.select(sa.func.count()).select_from(Consent)).scalar() == 0
    done = client.post(f"/witnesses/{witness.id}/services/consents/new", data={
        "purpose": "share_with_organisation", "organisation_id": shelter.id, "service": "accommodation",
        "given_how": "oral", "scope": ["needs"]})
    assert done.status_code == 302 and done.headers["Location"].endswith("#consents")
    consent = db.session.execute(sa.select(Consent)).scalar_one()
    refused = client.post(f"/witnesses/{witness.id}/services/referrals/new", data={
        "organisation_id": shelter.id, "service": "accommodation", "consent_id": consent.id,
        "field_groups": ["needs", "location"], "send": "no"})
    assert refused.status_code == 200 and b"does not cover" in refused.data and b"location" in refused.data
    done = client.post(f"/witnesses/{witness.id}/services/referrals/new", data={
        "organisation_id": shelter.id, "service": "accommodation", "consent_id": consent.id,
        "field_groups": ["needs"], "send": "no"})
    assert done.status_code == 302
    referral = db.session.execute(sa.select(Referral)).scalar_one()
    letter = client.get(f"/referrals/{referral.id}/letter")
    assert letter.status_code == 200 and witness.reference.encode() in letter.data
    assert witness.legal_name.encode() not in letter.data
    assert client.post(f"/referrals/{referral.id}/send").status_code == 302
    assert client.post(f"/referrals/{referral.id}/status", data={"status": "accepted",
                                                                  "feedback": "Bed ready"}).status_code == 302
    assert b"accepted" in client.get(f"/witnesses/{witness.id}/services").data


def test_someone_without_the_needs_group_gets_404(client, auth, officer, make_user, make_witness):
    witness = make_witness()
    interpreter = make_user("support_person")
    witness_ops.assign_support(officer, witness, interpreter, "interpreter")
    db.session.commit()
    auth.login(interpreter)
    assert client.get(f"/witnesses/{witness.id}/services").status_code == 404


def test_organisations_directory_for_admins_and_officers(client, auth, admin, prosecutor):
    auth.login(admin)
    refused = client.post("/organisations/new", data={"name": "", "kind": "shelter"})
    assert refused.status_code == 200 and b"Give the organisation" in refused.data
    assert client.post("/organisations/new", data={"name": "Invented NGO", "kind": "ngo",
                                                    "services": ["legal_counselling"]}).status_code == 302
    assert b"Invented NGO" in client.get("/organisations").data
    auth.logout()
    auth.login(prosecutor)
    assert client.get("/organisations").status_code == 404


def test_readiness_blocks_until_court_process_and_aids_are_explained_in_the_witness_language(
    officer, support_person, make_case, make_witness, make_journey, make_event, assess,
):
    case = make_case()
    witness = make_witness(participation="participating", date_of_birth=date(1990, 1, 1), preferred_language="Thai")
    make_journey(witness, case)
    assess(witness, "trial")
    witness_ops.assign_support(officer, witness, support_person, "support_worker")
    visit = make_event(case, [witness], kind="familiarisation_visit", days=-3)
    court_ops.mark_event_held(officer, visit)
    trial = make_event(case, [witness], kind="trial_day", days=30)
    court_ops.assign_attendance(officer, trial, witness, support_person)
    db.session.commit()

    def blockers():
        [day] = readiness.case_readiness(case)
        return {b.code: b.message for b in day.witnesses[0].blockers}

    assert "court process" in blockers()["not_explained"] and "testimonial aids" in blockers()["not_explained"]
    ops.record_information(officer, witness, topic="court_process", method="oral", language="English")
    assert "court process" in blockers()["not_explained"]  # not in the witness's language
    ops.record_information(officer, witness, topic="court_process", method="oral", language="thai",
                           interpreter="Invented Interpreter")
    assert "court process" not in blockers()["not_explained"]
    ops.record_information(officer, witness, topic="testimonial_aids", method="written", language="Thai")
    assert blockers() == {}


def _fill(officer, witness, shelter, entries, consents, referrals):
    for i in range(entries):
        ops.record_information(officer, witness, topic="rights", method="oral", language="Indonesian",
                               given_at=utc_now() - timedelta(minutes=i), questions=f"Question {i}")
    for _ in range(consents):
        consent = ops.record_consent(officer, witness, purpose="share_with_organisation", organisation=shelter,
                                     service="accommodation", scope=["needs"])
    for _ in range(referrals):
        ops.create_referral(officer, witness, organisation=shelter, service="accommodation", consent=consent,
                            field_groups=["needs"])
    db.session.commit()


def test_services_page_statement_count_does_not_grow(client, auth, officer, make_witness, count_queries):
    shelter = _shelter(officer)
    few, many = make_witness(), make_witness()
    _fill(officer, few, shelter, 1, 1, 1)
    _fill(officer, many, shelter, 50, 20, 20)
    for service in SERVICES:
        ops.save_need(officer, many, service=service, status="needed", organisation=shelter,
                      review_on=today_utc() + timedelta(days=10))
    ops.save_need(officer, few, service="accommodation", status="needed", organisation=shelter)
    db.session.commit()
    auth.login(officer)
    client.get(f"/witnesses/{few.id}/services")
    counts = []
    for witness in (few, many):
        with count_queries() as statements:
            response = client.get(f"/witnesses/{witness.id}/services")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert response.data.count(b"Question ") == 50


def test_explained_counts_against_this_case_first_trial_day_not_another_case(
    officer, make_case, make_witness, make_journey, make_event,
):
    """An explanation given today is in time for a trial in a month, even while another case
    had its first trial day weeks ago."""
    earlier_case, case = make_case(), make_case()
    other = make_witness(preferred_language="Thai")
    make_journey(other, earlier_case)
    make_event(earlier_case, [other], kind="trial_day", days=-20)
    witness = make_witness(preferred_language="Thai")
    make_journey(witness, case)
    make_event(case, [witness], kind="trial_day", days=30)
    for topic in ("court_process", "testimonial_aids"):
        ops.record_information(officer, witness, topic=topic, method="oral", language="Thai")
    db.session.commit()

    [day] = readiness.case_readiness(case)
    assert "not_explained" not in {b.code for b in day.witnesses[0].blockers}
