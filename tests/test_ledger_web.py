"""The ledger's pages: per role (allowed, 404 unassigned, anonymous to the login page), forms with
clear messages and nothing changed on bad input, the supervisor's queue, disclosure with audit,
the admin integrity page and the supervisor setting."""

from __future__ import annotations

import csv
import io
import pathlib

import pytest
import sqlalchemy as sa

from tests.helpers import AuthActions, past
from witness_support.audit import AuditEvent
from witness_support.auth.models import User
from witness_support.extensions import db
from witness_support.ledger import operations as ledger_ops
from witness_support.ledger.models import BenefitConcern, BenefitEntry, Disclosure, VerificationRun


@pytest.fixture
def login(app, client):  # noqa: ANN001, ANN201 - fixture; `client` installs the isolated client class
    def make(user: User):  # noqa: ANN202 - a test client
        """A browser of its own per person, signed in through the shared AuthActions (the real pages)."""
        browser = app.test_client()
        response = AuthActions(browser).login(user)
        assert response.status_code == 302
        return browser

    return make


def _count(model) -> int:  # noqa: ANN001 - a model class
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def _pages(w, entry) -> dict[str, str]:  # noqa: ANN001 - a LedgerWorld and an entry
    return {
        "ledger": f"/witnesses/{w.witness.id}/benefits",
        "new": f"/witnesses/{w.witness.id}/benefits/new",
        "correct": f"/benefits/{entry.id}/correct",
        "concern": f"/witnesses/{w.witness.id}/concerns/new?entry={entry.id}",
        "witness_disclosure": f"/witnesses/{w.witness.id}/disclosure",
        "case_disclosure": f"/cases/{w.case.id}/disclosure",
    }


ALLOWED = {
    "officer": {"ledger", "new", "correct", "concern", "witness_disclosure", "case_disclosure"},
    "colleague": {"ledger", "new", "correct", "concern", "witness_disclosure"},
    "prosecutor": {"ledger", "concern", "witness_disclosure", "case_disclosure"},
    "support": {"ledger", "concern"},
    "supervisor": set(),
    "stranger": set(),
    "admin": set(),
}


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_pages_per_role(login, ledger_world, record_benefit, who):
    w = ledger_world
    entry = record_benefit(w.witness)
    browser = login(getattr(w, who))
    for name, url in _pages(w, entry).items():
        response = browser.get(url)
        expected = 200 if name in ALLOWED[who] else 404
        assert response.status_code == expected, (who, name, response.status_code)
        if expected == 200:
            assert response.headers["Cache-Control"] == "no-store"
            assert w.witness.legal_name not in response.get_data(as_text=True)


def test_anonymous_goes_to_login(client, ledger_world, record_benefit):
    entry = record_benefit(ledger_world.witness)
    for url in [*_pages(ledger_world, entry).values(), "/concerns/", "/admin/ledger"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_record_a_benefit_through_the_form(login, ledger_world):
    w = ledger_world
    browser = login(w.officer)
    form = browser.get(f"/witnesses/{w.witness.id}/benefits/new").get_data(as_text=True)
    assert "Colin Colleague" in form and "Stan Stranger" not in form  # only eligible authorisers
    data = {
        "kind": "accommodation", "description": "Room in a safe house", "amount": "1,200.00", "currency": "thb",
        "provided_on": past(10).isoformat(), "provided_until": past(1).isoformat(),
        "provider": "Invented Shelter Foundation",
        "rationale": "The witness cannot go home while the defendants are on bail.",
        "authorised_by_id": str(w.officer.id),
    }
    response = browser.post(f"/witnesses/{w.witness.id}/benefits/new", data=data)
    assert response.status_code == 302
    entry = db.session.get(BenefitEntry, 1)
    assert (entry.amount, entry.currency, entry.provided_until) == (1200, "THB", past(1))
    page = browser.get(f"/witnesses/{w.witness.id}/benefits").get_data(as_text=True)
    assert "1,200.00 THB" in page and "The witness cannot go home" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rationale": "needed"}, "at least a sentence"),
        ({"currency": "ABC"}, "not an ISO 4217 currency code"),
        ({"amount": "12.345"}, "at most two decimals"),
        ({"kind": "visa_or_stay_permit"}, "needs a second person"),
        ({"provided_on": ""}, "This field is required"),
    ],
)
def test_bad_benefit_form_shows_the_message_and_changes_nothing(login, ledger_world, changes, message):
    w = ledger_world
    data = {
        "kind": "travel", "description": "Bus fare", "amount": "3.00", "currency": "USD",
        "provided_on": past(1).isoformat(), "provider": "NGO",
        "rationale": "To reach the counselling appointment in town.", "authorised_by_id": str(w.officer.id),
    } | changes
    response = login(w.officer).post(f"/witnesses/{w.witness.id}/benefits/new", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(BenefitEntry) == 0


def test_correct_through_the_form(login, ledger_world, record_benefit):
    w = ledger_world
    entry = record_benefit(w.witness)
    browser = login(w.colleague)
    bad = browser.post(f"/benefits/{entry.id}/correct", data={
        "correction_type": "adjustment", "amount": "", "reason": "The receipt shows a lower amount.",
        "authorised_by_id": str(w.colleague.id)})
    assert "Give the difference" in bad.get_data(as_text=True)
    assert _count(BenefitEntry) == 1
    response = browser.post(f"/benefits/{entry.id}/correct", data={
        "correction_type": "adjustment", "amount": "-10.00", "reason": "The receipt shows a lower amount.",
        "authorised_by_id": str(w.colleague.id)})
    assert response.status_code == 302
    page = browser.get(f"/witnesses/{w.witness.id}/benefits").get_data(as_text=True)
    assert "Corrected by" in page and "-10.00 USD" in page and "30.00" in page  # net total


def test_concern_to_supervisor_and_resolution(login, ledger_world, record_benefit):
    w = ledger_world
    entry = record_benefit(w.witness)
    response = login(w.support).post(f"/witnesses/{w.witness.id}/concerns/new",
                                     data={"entry_id": str(entry.id), "description": "The food card is sold on."})
    assert response.status_code == 302
    concern = db.session.execute(sa.select(BenefitConcern)).scalar_one()
    assert concern.entry_id == entry.id
    supervisor = login(w.supervisor)
    queue = supervisor.get("/concerns/").get_data(as_text=True)
    assert "The food card is sold on." in queue and w.witness.reference in queue
    assert w.witness.legal_name not in queue
    for other in (w.officer, w.stranger):
        browser = login(other)
        assert "The food card" not in browser.get("/concerns/").get_data(as_text=True)
        assert browser.get(f"/concerns/{concern.id}/resolve").status_code == 404
    assert login(w.admin).get("/concerns/").status_code == 404
    bad = supervisor.post(f"/concerns/{concern.id}/resolve", data={"resolution": "ok"})
    assert "in a sentence or more" in bad.get_data(as_text=True)
    done = supervisor.post(f"/concerns/{concern.id}/resolve",
                           data={"resolution": "Spoke with the witness; the card is now in their name only."})
    assert done.status_code == 302
    assert "No open concerns" in supervisor.get("/concerns/").get_data(as_text=True)
    ledger_page = login(w.officer).get(f"/witnesses/{w.witness.id}/benefits").get_data(as_text=True)
    assert "Resolved" in ledger_page and "in their name only" in ledger_page


def test_disclosure_page_csv_audit_and_record(login, ledger_world, record_benefit):
    w = ledger_world
    entry = record_benefit(w.witness, provided_on=past(5))
    ledger_ops.create_checkpoint()
    db.session.commit()
    prosecutor = login(w.prosecutor)
    page = prosecutor.get(f"/cases/{w.case.id}/disclosure").get_data(as_text=True)
    checkpoint = ledger_ops.latest_checkpoint()
    assert checkpoint.head_hash in page and checkpoint.signature in page
    assert w.witness.reference in page and "Weekly food allowance" in page and w.witness.legal_name not in page
    assert "Not yet disclosed" in page
    export = prosecutor.get(f"/cases/{w.case.id}/disclosure?format=csv")
    assert export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert rows[0]["sequence"] == str(entry.id) and rows[-1]["record"] == "checkpoint"
    formats = db.session.execute(
        sa.select(AuditEvent.details).where(AuditEvent.action == "benefit.disclosure.view").order_by(AuditEvent.id)
    ).scalars().all()
    assert [f["format"] for f in formats] == ["html", "csv"]
    # Officers see the schedule but only prosecutors record that it went to the defence.
    assert login(w.officer).post(f"/cases/{w.case.id}/disclosure/record",
                                 data={"disclosed_on": past(0).isoformat()}).status_code == 404
    response = prosecutor.post(f"/cases/{w.case.id}/disclosure/record",
                               data={"disclosed_on": past(0).isoformat(), "note": "Served on defence counsel"})
    assert response.status_code == 302
    assert _count(Disclosure) == 1
    assert "Served on defence counsel" in prosecutor.get(f"/cases/{w.case.id}/disclosure").get_data(as_text=True)
    assert login(w.stranger).get(f"/cases/{w.case.id}/disclosure?format=csv").status_code == 404


def test_print_stylesheet_has_rules_for_the_schedule(app):
    css = (pathlib.Path(app.static_folder) / "css" / "app.css").read_text()
    print_rules = css[css.rindex("@media print"):]
    assert ".no-print" in print_rules and "tr.near-testimony" in print_rules and "thead" in print_rules


def test_admin_integrity_page_verifies_and_checkpoints(login, ledger_world, record_benefit):
    w = ledger_world
    record_benefit(w.witness)
    admin = login(w.admin)
    assert "never been verified" in admin.get("/admin/ledger").get_data(as_text=True)
    assert admin.post("/admin/ledger/checkpoint").status_code == 302
    assert admin.post("/admin/ledger/verify").status_code == 302
    page = admin.get("/admin/ledger").get_data(as_text=True)
    assert "Intact" in page and "1 entries and 1 checkpoints" in page
    assert w.witness.reference not in page and "Weekly food allowance" not in page
    assert db.session.execute(sa.select(VerificationRun.trigger)).scalar_one() == "web"
    for other in (w.officer, w.prosecutor):
        browser = login(other)
        assert browser.get("/admin/ledger").status_code == 404
        assert browser.post("/admin/ledger/verify").status_code == 404


def test_admin_sets_a_supervisor(login, ledger_world):
    w = ledger_world
    admin = login(w.admin)
    page = admin.get(f"/admin/users/{w.colleague.id}").get_data(as_text=True)
    assert "Supervisor" in page and "Sue Supervisor" in page
    response = admin.post(f"/admin/users/{w.colleague.id}", data={
        "role": "liaison_officer", "active": "1", "supervisor_id": str(w.supervisor.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, w.colleague.id).supervisor_id == w.supervisor.id
    assert db.session.execute(
        sa.select(sa.func.count()).where(AuditEvent.action == "user.supervisor")
    ).scalar() == 1
    admin.post(f"/admin/users/{w.colleague.id}", data={"role": "liaison_officer", "active": "1", "supervisor_id": "0"})
    db.session.expire_all()
    assert db.session.get(User, w.colleague.id).supervisor_id is None


def test_nobody_supervises_themselves(ledger_world):
    from witness_support.auth import operations as auth_ops
    from witness_support.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        auth_ops.set_supervisor(ledger_world.admin, ledger_world.officer, ledger_world.officer)
    with pytest.raises(ValidationFailed):
        auth_ops.set_supervisor(ledger_world.admin, ledger_world.officer, ledger_world.admin)


def test_printable_schedule_highlights_benefits_before_testimony(app, ledger_world, record_benefit):
    """The seam gives no dates yet, so the page is rendered from a schedule built with dates."""
    from flask import render_template
    from flask_login import login_user

    from witness_support.ledger.forms import DisclosureForm

    w = ledger_world
    near = record_benefit(w.witness, provided_on=past(10), description="Hotel near the court")
    record_benefit(w.witness, provided_on=past(90), description="Bus fare long before")
    schedule = ledger_ops.build_schedule(case=w.case, dates={w.witness.id: [past(0)]})
    with app.test_request_context():
        login_user(w.prosecutor)
        html = render_template("ledger/disclosure.html", schedule=schedule, form=DisclosureForm(),
                               record_url="/", can_record=False)
    highlighted = html[html.index('class="near-testimony'):]
    assert highlighted.index("Hotel near the court") < highlighted.index("</tr>")
    assert f"Within 30 days before testimony on {past(0).isoformat()}" in html
    assert html.count('class="near-testimony') == 1
    assert f"<th scope=\"row\"><span aria-hidden=\"true\">◆ </span>{near.id}</th>" in html
