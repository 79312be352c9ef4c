"""No form presets a consequential choice: a custody entry's kind, a charge's decision, a claim's
route, an attendance outcome, a kind of event, aid or benefit, a role, a consent… Each starts on
"Choose…" (the empty value); left there, or missing from the post, it is refused with a message
next to the field and nothing is saved; chosen, the record is saved.

Each case below builds its page through the real operations and gives the form's other fields
valid values, so the refusal can only come from the choice left open."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tests.helpers import CANARY_OFFENDER, future, past
from witness_support.aids import operations as aid_ops
from witness_support.aids.models import AidStatusChange, TestimonialAid
from witness_support.auth.models import User
from witness_support.cases.models import Defendant, JourneyTransition
from witness_support.court.models import CourtEvent, EventWitness
from witness_support.custody.models import CustodyEvent
from witness_support.db import today_utc, utc_now
from witness_support.extensions import db
from witness_support.ledger.models import BenefitEntry
from witness_support.remedies.models import ChargeAgainstWitness, CompensationClaim, ResidencePermit
from witness_support.services import operations as service_ops
from witness_support.services.models import Consent, InformationGiven, Referral
from witness_support.witnesses.models import WitnessAssignment


@dataclass
class Case:
    """One form: where it is, valid values for all its fields, what a save adds a row to."""

    url: str
    data: dict[str, Any]
    model: type
    login: User | None = None  # who fills it (the officer unless said)
    status: int = 200  # the status of a refused post
    page: str | None = None  # where the form is shown, when it posts elsewhere
    saved: Callable[[], bool] | None = None  # whether the post saved (else: a row more in `model`)


def _selected(page: str, name: str) -> list[str]:
    box = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', box)


def _count(model: type) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def _custody(w) -> Case:  # noqa: ANN001
    setup = w.trial_case()
    when = (utc_now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    return Case(f"/cases/{setup.case.id}/custody/new", {
        "defendant_id": setup.defendant.id, "kind": "bailed", "occurred_at": when, "source": "Court clerk",
        "corrects_id": "0"}, CustodyEvent)


def _charge(w) -> Case:  # noqa: ANN001
    witness = w.make_witness()
    return Case(f"/witnesses/{witness.id}/remedies/charges/new", {
        "offence": "immigration", "arose_from_trafficking": "yes", "decision": "pending"}, ChargeAgainstWitness)


def _permit(w) -> Case:  # noqa: ANN001
    witness = w.make_witness()
    return Case(f"/witnesses/{witness.id}/remedies/permits/new", {
        "kind": "temporary_witness", "number": "INV-PERMIT-9", "issued_on": past(10).isoformat(),
        "expires_on": future(90).isoformat(), "depends_on_case": "proceedings", "case_id": "0"}, ResidencePermit)


def _claim(w) -> Case:  # noqa: ANN001
    witness = w.make_witness()
    return Case(f"/witnesses/{witness.id}/remedies/claims/new", {
        "route": "state_fund", "respondent": "state", "case_id": "0", "defendant_id": "0", "status": "preparing"},
        CompensationClaim)


def _aid(w) -> Case:  # noqa: ANN001
    setup = w.trial_case()
    return Case(f"/witnesses/{setup.witness.id}/aids", {"case_id": setup.case.id, "kind": "screen"},
                TestimonialAid)


def _aid_status(w) -> Case:  # noqa: ANN001
    setup = w.trial_case()
    aid = aid_ops.propose_aid(w.officer, setup.witness, setup.case, "screen")
    db.session.commit()
    return Case(f"/aids/{aid.id}/status", {"status": "applied", "note": "Filed with the registry."},
                AidStatusChange, status=422, page=f"/witnesses/{setup.witness.id}/aids")


def _benefit(w) -> Case:  # noqa: ANN001
    return Case(f"/witnesses/{w.ledger_world.witness.id}/benefits/new", {
        "kind": "travel", "description": "Bus fare to the counselling appointment", "amount": "12.00",
        "currency": "USD", "provided_on": past(2).isoformat(), "provider": "Invented Shelter Foundation",
        "rationale": "To reach the counselling appointment in town.",
        "authorised_by_id": str(w.ledger_world.officer.id)}, BenefitEntry, login=w.ledger_world.officer)


def _correction(w) -> Case:  # noqa: ANN001
    world = w.ledger_world
    entry = w.record_benefit(world.witness)
    return Case(f"/benefits/{entry.id}/correct", {
        "correction_type": "reversal", "reason": "It was recorded twice.", "authorised_by_id": str(world.colleague.id)},
        BenefitEntry, login=world.colleague)


def _attendance(w) -> Case:  # noqa: ANN001
    setup = w.trial_case()
    held = w.make_event(setup.case, [setup.witness], days=-1)
    # The outcome is a column of the witness's requirement at the event, not a row of its own.
    return Case(f"/court-events/{held.id}/witnesses/{setup.witness.id}/outcome", {"outcome": "gave_evidence"},
                CourtEvent, saved=lambda: db.session.get(EventWitness, held.required[0].id).outcome is not None)


def _event(w) -> Case:  # noqa: ANN001
    setup = w.trial_case()
    day = (today_utc() + timedelta(days=60)).isoformat()
    return Case(f"/cases/{setup.case.id}/court-events/new", {
        "kind": "mention", "starts_at": f"{day}T09:30", "ends_at": f"{day}T10:30", "room": "7"}, CourtEvent)


def _defendant(w) -> Case:  # noqa: ANN001
    setup = w.trial_case()
    return Case(f"/cases/{setup.case.id}/defendants/new", {"name": "Invented Second Defendant",
                                                           "custody_status": "bailed"}, Defendant)


def _transition(w) -> Case:  # noqa: ANN001
    setup = w.trial_case()
    return Case(f"/journeys/{setup.journey.id}/transition", {"to": "post_trial", "reason": "The verdict was given."},
                JourneyTransition)


def _assignment(w) -> Case:  # noqa: ANN001
    witness = w.make_witness()
    helper = w.make_user("support_person", display_name="Invented Helper")
    return Case(f"/witnesses/{witness.id}/assignments/new", {"user_id": helper.id, "role": "support_worker"},
                WitnessAssignment)


def _invite(w) -> Case:  # noqa: ANN001
    return Case("/admin/users/new", {"email": "invented.newcomer@example.test", "display_name": "New Person",
                                     "role": "liaison_officer"}, User, login=w.admin)


def _information(w) -> Case:  # noqa: ANN001
    witness = w.make_witness()
    return Case(f"/witnesses/{witness.id}/services/information/new", {
        "topic": "court_process", "method": "oral", "language": "Indonesian"}, InformationGiven)


def _shelter(officer: User) -> Any:
    shelter = service_ops.save_organisation(
        officer, name="Invented Shelter", kind="shelter", services=["accommodation"],
        confidentiality_agreed_on=today_utc(), confidentiality_document="MoU 1")
    db.session.commit()
    return shelter


def _consent(w) -> Case:  # noqa: ANN001
    witness = w.make_witness()
    shelter = _shelter(w.officer)
    return Case(f"/witnesses/{witness.id}/services/consents/new", {
        "purpose": "share_with_organisation", "organisation_id": shelter.id, "service": "accommodation",
        "given_how": "oral", "scope": ["needs"]}, Consent)


def _referral(w) -> Case:  # noqa: ANN001
    witness = w.make_witness()
    shelter = _shelter(w.officer)
    consent = service_ops.record_consent(w.officer, witness, purpose="share_with_organisation", organisation=shelter,
                                         service="accommodation", scope=["needs"])
    db.session.commit()
    return Case(f"/witnesses/{witness.id}/services/referrals/new", {
        "organisation_id": shelter.id, "service": "accommodation", "consent_id": consent.id,
        "field_groups": ["needs"], "send": "no"}, Referral)


def _referral_answer(w) -> Case:  # noqa: ANN001
    witness = w.make_witness()
    shelter = _shelter(w.officer)
    consent = service_ops.record_consent(w.officer, witness, purpose="share_with_organisation", organisation=shelter,
                                         service="accommodation", scope=["needs"])
    referral = service_ops.create_referral(w.officer, witness, organisation=shelter, service="accommodation",
                                           consent=consent, field_groups=["needs"], send=True)
    db.session.commit()
    assert referral.status == "sent"
    return Case(f"/referrals/{referral.id}/status", {"status": "accepted", "feedback": "Bed ready"}, Referral,
                saved=lambda: db.session.get(Referral, referral.id).status == "accepted")


# (the form, the field left on "Choose…", a part of the message next to it)
CASES: list[tuple[Callable[..., Case], str, str]] = [
    (_custody, "kind", "Choose what happened from the list."),
    (_charge, "decision", "Choose pending, discontinued, not prosecuted or convicted."),
    (_charge, "offence", "Choose immigration, document"),
    (_permit, "depends_on_case", "Choose"),
    (_claim, "route", "Choose"),
    (_aid, "kind", "Choose an aid"),
    (_aid_status, "status", "Choose a status"),
    (_benefit, "kind", "Choose the kind of benefit."),
    (_correction, "correction_type", "Choose whether to reverse the entry or adjust its amount."),
    (_attendance, "outcome", "Choose: attended, gave evidence, did not attend or excused."),
    (_event, "kind", "Choose the kind of event"),
    (_defendant, "custody_status", "Choose remanded, bailed, at_large or sentenced."),
    (_transition, "to", "Choose the stage to move to."),
    (_assignment, "role", "Choose liaison officer, support worker"),
    (_invite, "role", "Choose admin, liaison_officer, prosecutor or support_person."),
    (_information, "topic", "Choose what was explained from the list."),
    (_information, "method", "Choose orally, in writing, or both."),
    (_consent, "purpose", "Choose what the consent is for."),
    (_consent, "given_how", "Choose orally, in writing, or both."),
    (_referral, "send", "Choose whether to send the referral now or keep it pending."),
    (_referral_answer, "status", "Choose the new status of the referral."),
]


class World:
    """The fixtures a case may need, built only when it asks for them."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request

    def __getattr__(self, name: str) -> Any:
        return self._request.getfixturevalue(name)


@pytest.mark.parametrize(("build", "field", "message"), CASES,
                         ids=[f"{build.__name__.strip('_')}-{field}" for build, field, _ in CASES])
def test_a_consequential_choice_starts_on_choose_and_is_refused_until_made(request, client, auth, build, field,
                                                                          message):
    world = World(request)
    case = build(world)
    auth.login(case.login or world.officer)
    page = client.get(case.page or case.url).get_data(as_text=True)
    box = re.search(rf'<select[^>]*name="{field}".*?</select>', page, re.S).group(0)
    assert re.search(r'<option (selected )?value="">Choose…</option>', box), box[:300]
    assert _selected(page, field) in ([], [("", "")]), "a choice other than “Choose…” is preset"
    before = _count(case.model)
    saved = case.saved or (lambda: _count(case.model) > before)
    for blank in (case.data | {field: ""}, {k: v for k, v in case.data.items() if k != field}):
        refused = client.post(case.url, data=blank)
        text = refused.get_data(as_text=True)
        assert refused.status_code == case.status
        error = re.search(r'<p class="error-message" id="([^"]+)-error">([^<]*)</p>', text)
        assert error is not None and message in error.group(2), text[:2000]
        assert error.group(1).split("-")[0] == field  # the message is next to the field left open
        assert not saved()
    done = client.post(case.url, data=case.data)
    assert done.status_code in (302, 303), done.get_data(as_text=True)[:2000]
    assert saved()


def test_the_custody_entry_page_names_the_defendant_chosen_not_a_preset_kind(client, auth, officer, trial_case):
    """The form on the case page: "Choose…" selected, and the entry recorded with the kind chosen."""
    setup = trial_case()
    auth.login(officer)
    page = client.get(f"/cases/{setup.case.id}/custody/new").get_data(as_text=True)
    assert ">Choose…<" in page and _selected(page, "kind") in ([], [("", "")])
    when = (utc_now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/cases/{setup.case.id}/custody/new", data={
        "defendant_id": setup.defendant.id, "kind": "", "occurred_at": when, "source": "Court clerk",
        "corrects_id": "0"}).status_code == 200
    assert _count(CustodyEvent) == 0
    assert client.post(f"/cases/{setup.case.id}/custody/new", data={
        "defendant_id": setup.defendant.id, "kind": "warrant_issued", "occurred_at": when, "source": "Court clerk",
        "corrects_id": "0"}).status_code == 302
    entry = db.session.execute(sa.select(CustodyEvent)).scalar_one()
    assert entry.kind == "warrant_issued" and entry.defendant.name == CANARY_OFFENDER


def test_the_api_names_a_missing_charge_decision_permit_dependence_or_consent_method(client, officer, make_witness,
                                                                                      api_token):
    """The API defaulted these three silently (a pending decision, a permit not on the case, an oral
    consent): now a missing one is a 422 naming it, and nothing is saved."""
    witness = make_witness()
    shelter = _shelter(officer)
    headers = api_token(officer)
    posts = [
        (f"/api/v1/witnesses/{witness.id}/charges", {"offence": "immigration"}, "decision", ChargeAgainstWitness),
        (f"/api/v1/witnesses/{witness.id}/residence-permits",
         {"kind": "humanitarian", "issued_on": past(3).isoformat()}, "depends_on_case", ResidencePermit),
        (f"/api/v1/witnesses/{witness.id}/consents", {"purpose": "share_with_organisation",
                                                     "organisation_id": shelter.id, "service": "accommodation",
                                                     "scope": ["needs"]}, "given_how", Consent),
    ]
    choice = {"decision": "pending", "depends_on_case": "independent", "given_how": "both"}
    for url, body, field, model in posts:
        refused = client.post(url, json=body, headers=headers)
        assert refused.status_code == 422 and field in refused.get_json()["error"]["fields"]
        assert _count(model) == 0
        done = client.post(url, json=body | {field: choice[field]}, headers=headers)
        assert done.status_code == 201 and done.get_json()[field] == choice[field]
        assert _count(model) == 1
