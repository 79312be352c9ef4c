"""An officer explains the court process through an interpreter, records the witness's consent to
share with a shelter, refers the witness there and records the shelter's acceptance; the timeline
tells each step."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.helpers import PASSWORD, past
from witness_support.extensions import db
from witness_support.services import operations as services_ops
from witness_support.services.models import Consent, InformationGiven, Referral


def test_officer_explains_records_consent_refers_to_a_shelter_and_records_its_acceptance(page, live_app):
    w = builders.world()
    shelter = services_ops.save_organisation(
        w.officer, name="Invented Harbour Shelter", kind="shelter", services=["accommodation"], country_code="MY",
        safe_contact_route="Call the intake line; ask for the duty worker.", confidentiality_agreed_on=past(30),
        confidentiality_document="MoU 2026/4",
    )
    db.session.commit()
    login(page, "officer@example.test", PASSWORD)
    page.goto(f"/witnesses/{w.witness.id}")
    page.get_by_role("link", name="Services and consent").click()

    # What was explained, how, in which language and through which interpreter.
    page.get_by_role("link", name="Record information given").click()
    page.get_by_label("What was explained").select_option(label="the court process and what testifying involves")
    page.get_by_label("How", exact=True).select_option(label="orally and in writing")
    expect(page.get_by_label("Language")).to_have_value("Indonesian")
    page.get_by_label("Interpreter (name or service; empty: none)").fill("Invented Interpreter Service")
    page.get_by_label("What the witness asked").fill("Will the defendant see me when I testify?")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Information recorded.")).to_be_visible()
    expect(page.get_by_role("cell", name="Invented Interpreter Service")).to_be_visible()

    # The witness agrees that the shelter may have their needs and court logistics for accommodation.
    page.get_by_role("link", name="Record consent").click()
    page.get_by_label("What the witness agreed to").select_option(label="share with an organisation for a service")
    page.get_by_label("Organisation (empty: any in the directory for the service)").select_option(
        label="Invented Harbour Shelter")
    page.get_by_label("Service", exact=True).select_option(label="Continued safe accommodation")
    page.get_by_label("Field groups that may be shared").select_option(["needs", "court_logistics"])
    page.get_by_label("How the consent was given").select_option(label="orally")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Consent recorded.")).to_be_visible()

    # A referral asking for more than the consent covers is refused and names what is missing.
    page.get_by_role("link", name="Refer to an organisation").click()
    page.get_by_label("Organisation", exact=True).select_option(label="Invented Harbour Shelter")
    page.get_by_label("Service", exact=True).select_option(label="Continued safe accommodation")
    page.get_by_label("Field groups to send").select_option(["needs", "location"])
    page.get_by_label("Send now by email").select_option("yes")  # no preset: sending is a choice
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary")).to_contain_text("does not cover")
    expect(page.locator(".error-summary")).to_contain_text("location")
    assert_accessible(page)
    page.get_by_label("Field groups to send").select_option(["needs"])
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Referral recorded.")).to_be_visible()
    referrals = page.locator("#referrals + p + table")
    expect(referrals).to_contain_text("sent")

    # The shelter answers: accepted, with a bed from Monday.
    page.get_by_role("link", name="record answer").click()
    page.get_by_label("Status").select_option("accepted")
    page.get_by_label("Feedback received").fill("Bed from Monday; the duty worker meets her at the door.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Referral updated.")).to_be_visible()
    expect(referrals).to_contain_text("accepted")
    expect(referrals).to_contain_text("Bed from Monday")
    assert_accessible(page)

    page.get_by_role("link", name=f"Back to {w.witness.reference}").click()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Explained: the court process and what testifying involves")
    expect(timeline).to_contain_text("interpreter Invented Interpreter Service")
    expect(timeline).to_contain_text("Referred to Invented Harbour Shelter: Continued safe accommodation")
    expect(timeline).to_contain_text("Referral answered by Invented Harbour Shelter: accepted")
    screenshot(page, "services")

    db.session.expire_all()
    [entry] = db.session.query(InformationGiven).filter_by(witness_id=w.witness.id).all()
    assert (entry.topic, entry.method, entry.interpreter) == ("court_process", "both", "Invented Interpreter Service")
    [consent] = db.session.query(Consent).filter_by(witness_id=w.witness.id).all()
    assert (consent.organisation_id, consent.scope) == (shelter.id, ["court_logistics", "needs"])
    [referral] = db.session.query(Referral).filter_by(witness_id=w.witness.id).all()
    assert (referral.status, referral.field_groups, referral.consent_id) == ("accepted", ["needs"], consent.id)
