"""Sustainable protection on the witness's timeline (information given, consent given and withdrawn,
referrals sent and answered, reviews) for those who see the needs group, and the witness page in a
fixed number of statements however many of them there are."""

from __future__ import annotations

from datetime import timedelta

import pytest

from witness_support.db import today_utc, utc_now
from witness_support.extensions import db
from witness_support.main.timeline import witness_timeline
from witness_support.services import operations as ops
from witness_support.services.models import SERVICES
from witness_support.witnesses import operations as witness_ops


@pytest.fixture
def shelter(officer):  # noqa: ANN001, ANN201
    org = ops.save_organisation(officer, name="Invented Harbour Shelter", kind="shelter",
                                services=["accommodation", "medical_dental"], country_code="MY",
                                confidentiality_agreed_on=today_utc(), confidentiality_document="MoU 5")
    db.session.commit()
    return org


def _story(officer, witness, shelter, journey):  # noqa: ANN001, ANN202
    ops.record_information(officer, witness, topic="court_process", method="both", language="Indonesian",
                           interpreter="Invented Interpreter", given_at=utc_now() - timedelta(hours=5))
    consent = ops.record_consent(officer, witness, purpose="share_with_organisation", organisation=shelter,
                                 service="accommodation", scope=["needs"], given_at=utc_now() - timedelta(hours=4))
    referral = ops.create_referral(officer, witness, organisation=shelter, service="accommodation", consent=consent,
                                   field_groups=["needs"])
    ops.update_referral(officer, referral, status="declined", reason="No family rooms")
    other = ops.record_consent(officer, witness, purpose="share_with_organisation", organisation=shelter,
                               service="medical_dental", scope=["needs"])
    ops.create_referral(officer, witness, organisation=shelter, service="medical_dental", consent=other,
                        field_groups=["needs"], send=False)
    ops.withdraw_consent(officer, other)
    ops.record_review(officer, journey, continues_after="Counselling continues with the shelter.")
    db.session.commit()


def test_the_timeline_tells_what_was_explained_agreed_referred_and_reviewed(app, officer, make_witness, make_journey,
                                                                            shelter):
    witness = make_witness(country_of_origin="ID")
    journey = make_journey(witness=witness)
    _story(officer, witness, shelter, journey)
    with app.test_request_context():
        entries = [e for e in witness_timeline(officer, witness, utc_now()) if e.kind == "services"]
    titles = [e.title for e in entries]
    assert titles[:2] == ["Explained: the court process and what testifying involves",
                          "Consent given to share with an organisation for a service: Invented Harbour Shelter, "
                          "Continued safe accommodation"]
    assert "Referred to Invented Harbour Shelter: Continued safe accommodation" in titles
    assert "Referral answered by Invented Harbour Shelter: declined" in titles
    assert any(t.startswith("Consent withdrawn") and "Medical and dental care" in t for t in titles)
    assert "Referral to Invented Harbour Shelter stopped: consent withdrawn" in titles
    assert f"Sustainable-protection review ({journey.case.reference})" in titles
    explained = entries[0]
    assert explained.detail == "Orally and in writing in Indonesian, interpreter Invented Interpreter"
    declined = next(e for e in entries if e.title.startswith("Referral answered"))
    assert declined.detail == "No family rooms" and declined.link.endswith("#referrals")
    assert [e.at for e in entries] == sorted(e.at for e in entries)


def test_those_without_the_needs_group_see_none_of_it(app, officer, support_person, make_witness, make_journey,
                                                      shelter, client, auth):
    witness = make_witness(country_of_origin="ID")
    _story(officer, witness, shelter, make_journey(witness=witness))
    witness_ops.assign_support(officer, witness, support_person, "interpreter")
    db.session.commit()
    with app.test_request_context():
        assert not [e for e in witness_timeline(support_person, witness, utc_now()) if e.kind == "services"]
    auth.login(support_person)
    page = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    assert "Journey timeline" in page and "Invented Harbour Shelter" not in page and "Explained:" not in page


def _fill(officer, witness, shelter, journey, entries, consents, referrals):  # noqa: ANN001, ANN202
    for i in range(entries):
        ops.record_information(officer, witness, topic="rights", method="oral", language="Indonesian",
                               interpreter="Invented Interpreter", given_at=utc_now() - timedelta(minutes=i))
    for i in range(consents):
        consent = ops.record_consent(officer, witness, purpose="share_with_organisation", organisation=shelter,
                                     service="accommodation", scope=["needs"])
        if i % 2:
            ops.withdraw_consent(officer, consent)
    consent = ops.record_consent(officer, witness, purpose="share_with_organisation", organisation=shelter,
                                 service="accommodation", scope=["needs"])
    for i in range(referrals):
        referral = ops.create_referral(officer, witness, organisation=shelter, service="accommodation",
                                       consent=consent, field_groups=["needs"])
        if i % 2:
            ops.update_referral(officer, referral, status="accepted", feedback="Room ready")
    ops.record_review(officer, journey, continues_after="Shelter and counselling continue.")
    db.session.commit()


def test_the_witness_page_keeps_a_fixed_statement_count(client, auth, officer, make_witness, make_journey, shelter,
                                                        count_queries):
    few, many = make_witness(country_of_origin="ID"), make_witness(country_of_origin="ID")
    _fill(officer, few, shelter, make_journey(witness=few), 1, 1, 1)
    _fill(officer, many, shelter, make_journey(witness=many), 50, 20, 20)
    for service in SERVICES:
        ops.save_need(officer, many, service=service, status="in_progress", goal=f"Goal for {service}",
                      organisation=shelter, review_on=today_utc() + timedelta(days=30))
    ops.save_need(officer, few, service="accommodation", status="needed", organisation=shelter)
    db.session.commit()
    auth.login(officer)
    ids = (few.id, many.id)
    client.get(f"/witnesses/{ids[0]}")
    counts = []
    for witness_id in ids:
        db.session.remove()
        with count_queries() as statements:
            response = client.get(f"/witnesses/{witness_id}")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    page = response.get_data(as_text=True)
    assert page.count("Explained: their rights") == 50
    assert page.count("Referred to Invented Harbour Shelter") == 20


def test_entries_of_no_case_are_in_the_zone_of_the_witness_s_court(app, officer, make_witness, make_case,
                                                                   make_journey):
    witness = make_witness()
    make_journey(witness=witness, case=make_case(court_timezone="Europe/Lisbon"))
    ops.record_information(officer, witness, topic="rights", method="oral", language="Indonesian")
    db.session.commit()
    with app.test_request_context():
        [entry] = [e for e in witness_timeline(officer, witness, utc_now()) if e.kind == "services"]
    assert entry.tz == "Europe/Lisbon"
