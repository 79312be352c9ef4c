"""The rules of information given, consent, organisations, referrals and the service plan."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from witness_support import mail
from witness_support.audit import AuditEvent
from witness_support.db import today_utc, utc_now
from witness_support.errors import Conflict, OperationError, ValidationFailed
from witness_support.extensions import db
from witness_support.services import operations as ops
from witness_support.services.models import Referral
from witness_support.tasks.models import Task
from witness_support.witnesses import operations as witness_ops

CANARY_ADDRESS = "CANARY-ADDRESS-7Qx Hidden Lane"
CANARY_THREAT = "CANARY-THREAT-p41"


@pytest.fixture
def shelter(app, officer):
    org = ops.save_organisation(
        officer, name="Invented Safe House", kind="shelter", services=["accommodation", "medical_dental"],
        areas="North district", country_code="MY", email="intake@shelter.example.org",
        safe_contact_route="Call the intake line and ask for the duty worker.",
        confidentiality_agreed_on=today_utc() - timedelta(days=30), confidentiality_document="MoU 2026/4",
    )
    db.session.commit()
    return org


@pytest.fixture
def witness(make_witness):
    return make_witness(nationality="Indonesian", country_of_origin="ID", address=CANARY_ADDRESS,
                        contact_details="+62 000 0000")


def consent_for(officer, witness, org=None, service="accommodation", scope=("needs", "court_logistics"), **extra):
    consent = ops.record_consent(officer, witness, purpose="share_with_organisation", organisation=org,
                                 service=service, scope=list(scope), **extra)
    db.session.commit()
    return consent


def test_information_given_is_recorded_and_bad_input_refused(officer, witness):
    entry = ops.record_information(officer, witness, topic="court_process", method="both", language="Indonesian",
                                   interpreter="Invented Interpreter", questions="Will the defendant see me?")
    db.session.commit()
    assert (entry.topic, entry.method, entry.language, entry.given_by_id) == (
        "court_process", "both", "Indonesian", officer.id)
    with pytest.raises(ValidationFailed) as refused:
        ops.record_information(officer, witness, topic="gossip", method="telepathy", language="",
                               given_at=utc_now() + timedelta(days=2))
    assert set(refused.value.field_errors) == {"topic", "method", "language", "given_at"}
    audit = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "services.information")).scalar_one()
    assert "Will the defendant" not in str(audit.details)


def test_a_childs_consent_needs_the_guardian_and_the_childs_view(officer, make_witness, shelter):
    child = make_witness(presumed_child=True)
    with pytest.raises(ValidationFailed) as refused:
        ops.record_consent(officer, child, purpose="share_with_organisation", organisation=shelter,
                           service="accommodation", scope=["needs"])
    assert {"guardian_involvement", "child_view"} <= set(refused.value.field_errors)
    assert "guardian" in refused.value.field_errors["guardian_involvement"]
    consent = ops.record_consent(officer, child, purpose="share_with_organisation", organisation=shelter,
                                 service="accommodation", scope=["needs"],
                                 guardian_involvement="Guardian present and agreed",
                                 child_view="Heard alone with the intermediary; wants the shelter")
    assert consent.active


def test_consent_needs_a_scope_and_known_groups(officer, witness, shelter):
    with pytest.raises(ValidationFailed) as refused:
        ops.record_consent(officer, witness, purpose="share_with_organisation", organisation=shelter,
                           service="accommodation", scope=[])
    assert "scope" in refused.value.field_errors
    with pytest.raises(ValidationFailed) as refused:
        ops.record_consent(officer, witness, purpose="share_with_organisation", service="accommodation",
                           scope=["everything"])
    assert "everything" in refused.value.field_errors["scope"]
    with pytest.raises(ValidationFailed) as refused:
        ops.record_consent(officer, witness, purpose="contact_family", scope=[])
    assert "detail" in refused.value.field_errors


def test_referral_without_covering_consent_names_what_is_missing(officer, witness, shelter):
    other = ops.save_organisation(officer, name="Invented Clinic", kind="health", services=["medical_dental"],
                                  confidentiality_agreed_on=today_utc(), confidentiality_document="Terms 1")
    consent = consent_for(officer, witness, other, scope=["needs"])
    with pytest.raises(OperationError) as refused:
        ops.create_referral(officer, witness, organisation=shelter, service="medical_dental", consent=consent,
                            field_groups=["needs", "location"])
    message = refused.value.message
    assert "Invented Safe House" in message and "Medical and dental care" in message and "location" in message
    with pytest.raises(OperationError) as refused:
        ops.create_referral(officer, witness, organisation=shelter, service="accommodation", consent=None,
                            field_groups=["needs"])
    assert "No consent" in refused.value.message
    assert db.session.execute(sa.select(sa.func.count()).select_from(Referral)).scalar() == 0


def test_a_covering_consent_lets_the_referral_go(officer, witness, shelter):
    consent = consent_for(officer, witness, shelter)
    referral = ops.create_referral(officer, witness, organisation=shelter, service="accommodation",
                                   consent=consent, field_groups=["needs"])
    db.session.commit()
    assert referral.status == "sent" and referral.respond_by > utc_now()


def test_withdrawal_stops_pending_referrals_and_tasks_the_officer_for_sent_ones(officer, witness, shelter):
    consent = consent_for(officer, witness, shelter)
    sent = ops.create_referral(officer, witness, organisation=shelter, service="accommodation", consent=consent,
                               field_groups=["needs"])
    pending = ops.create_referral(officer, witness, organisation=shelter, service="accommodation",
                                  consent=consent, field_groups=["needs"], send=False)
    db.session.commit()
    ops.withdraw_consent(officer, consent, note="Changed her mind")
    db.session.commit()
    assert pending.status == "stopped" and sent.status == "sent"
    task = db.session.execute(sa.select(Task).where(Task.kind == "referral_consent_withdrawn")).scalar_one()
    assert task.assignee_id == officer.id and task.source_id == sent.id and witness.reference in task.title
    with pytest.raises(OperationError) as refused:
        ops.send_referral(officer, pending)
    with pytest.raises(OperationError) as refused:
        ops.create_referral(officer, witness, organisation=shelter, service="accommodation", consent=consent,
                            field_groups=["needs"])
    assert "withdrawn" in refused.value.message
    with pytest.raises(Conflict):
        ops.withdraw_consent(officer, consent)


def test_nothing_goes_to_the_country_of_origin_without_a_consent_naming_it(officer, witness):
    home = ops.save_organisation(officer, name="Invented Home NGO", kind="ngo", services=["family_tracing"],
                                 country_code="ID", confidentiality_agreed_on=today_utc(),
                                 confidentiality_document="Terms 2")
    general = consent_for(officer, witness, None, service="family_tracing", scope=["needs"])
    with pytest.raises(OperationError) as refused:
        ops.create_referral(officer, witness, organisation=home, service="family_tracing", consent=general,
                            field_groups=["needs"])
    assert "country of origin" in refused.value.message
    named = consent_for(officer, witness, home, service="family_tracing", scope=["needs"])
    assert ops.create_referral(officer, witness, organisation=home, service="family_tracing", consent=named,
                               field_groups=["needs"]).status == "sent"


def test_an_organisation_without_confidentiality_terms_needs_a_reason(officer, witness):
    org = ops.save_organisation(officer, name="Invented Legal Aid", kind="legal_aid", services=["legal_counselling"])
    consent = consent_for(officer, witness, org, service="legal_counselling")
    with pytest.raises(ValidationFailed) as refused:
        ops.create_referral(officer, witness, organisation=org, service="legal_counselling", consent=consent,
                            field_groups=["needs"])
    assert "confidentiality" in refused.value.field_errors["no_terms_reason"]
    referral = ops.create_referral(officer, witness, organisation=org, service="legal_counselling",
                                   consent=consent, field_groups=["needs"],
                                   no_terms_reason="Only legal aid provider in the area; hearing next week")
    assert referral.no_terms_reason.startswith("Only legal aid")


def test_organisation_directory_rules(officer, shelter):
    with pytest.raises(ValidationFailed) as refused:
        ops.save_organisation(officer, name="invented safe house", kind="zoo", services=["teleportation"],
                              confidentiality_agreed_on=today_utc(), email="not an address")
    assert set(refused.value.field_errors) >= {"name", "kind", "services", "confidentiality_document", "email"}
    ops.save_organisation(officer, shelter, name=shelter.name, kind="shelter", services=["accommodation"])
    assert shelter.services == ["accommodation"] and not shelter.has_confidentiality_terms


def test_referral_statuses_and_feedback(officer, witness, shelter):
    referral = ops.create_referral(officer, witness, organisation=shelter, service="accommodation",
                                   consent=consent_for(officer, witness, shelter), field_groups=["needs"])
    with pytest.raises(ValidationFailed) as refused:
        ops.update_referral(officer, referral, status="declined")
    assert "reason" in refused.value.field_errors
    ops.update_referral(officer, referral, status="accepted", feedback="Bed from Monday")
    ops.update_referral(officer, referral, status="in_progress")
    ops.update_referral(officer, referral, status="completed", feedback="Moved in")
    assert referral.status == "completed" and "Bed from Monday" in referral.feedback and referral.answered_at
    with pytest.raises(ValidationFailed):
        ops.update_referral(officer, referral, status="accepted")


def test_service_plan_needs_and_review_tasks(officer, witness, shelter):
    need = ops.save_need(officer, witness, service="accommodation", status="needed", goal="Safe bed",
                         organisation=shelter, review_on=today_utc() + timedelta(days=3))
    again = ops.save_need(officer, witness, service="accommodation", status="offered", goal="Safe bed",
                          organisation=shelter, review_on=today_utc() + timedelta(days=3))
    assert need.id == again.id and again.status == "offered" and again.area == "basic_needs"
    with pytest.raises(ValidationFailed) as refused:
        ops.save_need(officer, witness, service="spa", status="wished")
    assert set(refused.value.field_errors) == {"service", "status"}


def test_referral_email_carries_only_the_consented_fields(app, officer, witness, shelter, smtp_server):
    witness_ops.record_risk_assessment(officer, witness, stage="pre_trial", level="high", assessed_on=today_utc(),
                                       next_review_on=today_utc() + timedelta(days=30), threats=CANARY_THREAT)
    ops.save_need(officer, witness, service="accommodation", status="needed", goal="A safe bed")
    consent = consent_for(officer, witness, shelter, scope=["needs", "court_logistics"])
    with app.test_request_context():
        ops.create_referral(officer, witness, organisation=shelter, service="accommodation", consent=consent,
                            field_groups=["needs", "court_logistics"])
        mail.commit_and_send()
    (message,) = smtp_server.messages
    body = message.get_content()
    assert message["To"] == "intake@shelter.example.org"
    assert witness.reference in body and "Indonesian" in body and "A safe bed" in body
    for canary in (CANARY_ADDRESS, CANARY_THREAT, witness.legal_name, "+62 000 0000", "high"):
        assert canary not in body


def test_the_country_of_origin_is_matched_by_iso_code_not_by_name(officer, make_witness):
    # Names that share a prefix are different countries; only the codes decide.
    niger = ops.save_organisation(officer, name="Invented Niamey Shelter", kind="shelter", services=["accommodation"],
                                  country_code="ne", confidentiality_agreed_on=today_utc(),
                                  confidentiality_document="Terms 3")
    assert (niger.country_code, niger.country) == ("NE", "Niger")
    from_nigeria = make_witness(nationality="Nigerian", country_of_origin="NG")
    general = consent_for(officer, from_nigeria, None, scope=["needs"])
    assert ops.create_referral(officer, from_nigeria, organisation=niger, service="accommodation", consent=general,
                               field_groups=["needs"]).status == "sent"
    from_niger = make_witness(nationality="Nigerien", country_of_origin="Niger")
    assert from_niger.country_of_origin == "NE"
    general = consent_for(officer, from_niger, None, scope=["needs"])
    with pytest.raises(OperationError) as refused:
        ops.create_referral(officer, from_niger, organisation=niger, service="accommodation", consent=general,
                            field_groups=["needs"])
    assert "country of origin" in refused.value.message


def test_an_unrecorded_country_of_origin_asks_for_a_consent_naming_the_organisation(officer, make_witness):
    abroad = ops.save_organisation(officer, name="Invented Border NGO", kind="ngo", services=["family_tracing"],
                                   country_code="TH", confidentiality_agreed_on=today_utc(),
                                   confidentiality_document="Terms 4")
    unknown = make_witness(nationality="")
    general = consent_for(officer, unknown, None, service="family_tracing", scope=["needs"])
    with pytest.raises(OperationError) as refused:
        ops.create_referral(officer, unknown, organisation=abroad, service="family_tracing", consent=general,
                            field_groups=["needs"], send=False)
    assert "country of origin is not recorded" in refused.value.message and "Thailand" in refused.value.message
    # A pending referral checks again when it is sent: the origin recorded since then counts.
    named = consent_for(officer, unknown, abroad, service="family_tracing", scope=["needs"])
    pending = ops.create_referral(officer, unknown, organisation=abroad, service="family_tracing", consent=named,
                                  field_groups=["needs"], send=False)
    assert ops.send_referral(officer, pending).status == "sent"


def test_countries_outside_iso_3166_are_refused(officer, make_witness):
    with pytest.raises(ValidationFailed) as refused:
        ops.save_organisation(officer, name="Invented Nowhere NGO", kind="ngo", country_code="Atlantis")
    assert "country_code" in refused.value.field_errors
    with pytest.raises(ValidationFailed) as refused:
        make_witness(country_of_origin="XX")
    assert "country_of_origin" in refused.value.field_errors
