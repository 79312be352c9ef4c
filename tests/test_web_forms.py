"""Forms: errors by the field, nothing typed is lost, CSRF on every change, safe redirects, headers."""

from __future__ import annotations

import sqlalchemy as sa

from tests.helpers import future
from witness_support.extensions import db
from witness_support.witnesses.models import Witness


def test_registration_error_is_shown_by_the_field_and_keeps_what_was_typed(client, auth, officer):
    auth.login(officer)
    response = client.post(
        "/witnesses/new",
        data={
            "legal_name": "Invented Typed Name",
            "preferred_language": "Khmer",
            "participation": "undecided",
            "age_assessment": "none",
            "date_of_birth": future(3).isoformat(),
            "address": "Typed address",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The date of birth cannot be in the future." in page
    assert 'value="Invented Typed Name"' in page and "Typed address" in page and 'value="Khmer"' in page
    assert 'href="#date_of_birth"' in page  # the summary at the top links to the field
    assert db.session.execute(sa.select(sa.func.count()).select_from(Witness)).scalar() == 0


def test_web_flow_register_link_assess_move(client, auth, officer, make_case):
    case = make_case()
    auth.login(officer)
    created = client.post(
        "/witnesses/new",
        data={
            "legal_name": "Invented Flow Person",
            "preferred_language": "Thai",
            "participation": "participating",
            "age_assessment": "none",
        },
    )
    assert created.status_code == 302
    witness = db.session.execute(sa.select(Witness)).scalar_one()
    assert client.post(f"/cases/{case.id}/witnesses/new", data={"witness_id": witness.id}).status_code == 302
    journey = witness.journeys[0]
    refused = client.post(f"/journeys/{journey.id}/transition", data={"to": "trial"})
    assert refused.status_code == 200
    assert "needs a risk assessment for the trial stage" in refused.get_data(as_text=True)
    assert (
        client.post(
            f"/witnesses/{witness.id}/risk-assessments/new",
            data={
                "stage": "trial",
                "level": "critical",
                "assessed_on": future(0).isoformat(),
                "next_review_on": future(14).isoformat(),
                "threats": "Invented threat",
                "measures": "Invented measure",
            },
        ).status_code
        == 302
    )
    assert client.post(f"/journeys/{journey.id}/transition", data={"to": "trial"}).status_code == 302
    page = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    assert "Critical risk" in page  # the high-risk flag shows on the witness page
    db.session.refresh(journey)
    assert journey.stage == "trial"


def test_state_changes_need_a_csrf_token(app, client, auth, officer):
    auth.login(officer)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/witnesses/new", data={"legal_name": "X", "preferred_language": "Thai"})
    assert response.status_code == 400
    assert db.session.execute(sa.select(sa.func.count()).select_from(Witness)).scalar() == 0


def test_login_never_redirects_off_site(client, officer):
    from tests.helpers import PASSWORD, totp_code

    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        client.post(f"/login?next={target}", data={"email": officer.email, "password": PASSWORD})
        response = client.post("/login/code", data={"code": totp_code(officer.email)})
        assert response.status_code == 302
        assert response.headers["Location"] == "/"
        client.post("/logout")


def test_unknown_email_and_wrong_password_get_the_same_answer(client, officer):
    wrong = client.post("/login", data={"email": officer.email, "password": "not the password at all"})
    unknown = client.post("/login", data={"email": "nobody@example.test", "password": "not the password at all"})
    assert wrong.status_code == unknown.status_code == 200
    assert "That email and password do not match an active account." in wrong.get_data(as_text=True)
    assert wrong.get_data(as_text=True) == unknown.get_data(as_text=True).replace(
        'value="nobody@example.test"', f'value="{officer.email}"'
    )


def test_security_headers_and_no_store_on_witness_pages(client, auth, officer, make_witness):
    witness = make_witness()
    auth.login(officer)
    response = client.get(f"/witnesses/{witness.id}")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    missing = client.get("/witnesses/999999")
    assert missing.status_code == 404 and "Content-Security-Policy" in missing.headers


def test_logout_is_post_only(client, auth, officer):
    auth.login(officer)
    assert client.get("/logout").status_code == 405
    assert client.get("/witnesses/").status_code == 200
    auth.logout()
    assert client.get("/witnesses/").status_code == 302


def test_disabling_an_account_ends_its_sessions(client, auth, officer, admin):
    from witness_support.auth import operations

    auth.login(officer)
    assert client.get("/witnesses/").status_code == 200
    operations.set_active(admin, officer, False)
    db.session.commit()
    assert client.get("/witnesses/").status_code == 302
