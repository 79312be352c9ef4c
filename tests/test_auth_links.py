"""Invitations and password resets: emailed through a real SMTP server, single use, short expiry,
never a way around the second factor."""

from __future__ import annotations

import sqlalchemy as sa

from tests.helpers import PASSWORD, AuthActions, totp_code
from witness_support.auth.models import AccountToken, User
from witness_support.extensions import db

NEW_PASSWORD = "lanterns over the harbour"


def _invite(app, admin, email="new.person@example.test"):  # noqa: ANN001, ANN202
    client = app.test_client()
    AuthActions(client).login(admin)
    response = client.post("/admin/users/new", data={"email": email, "role": "liaison_officer",
                                                     "display_name": "New Person"})
    return client, response


# ---- reset -------------------------------------------------------------------------------------------


def test_reset_link_is_emailed_and_works_once(client, officer, smtp_server):
    response = client.post("/password/forgot", data={"email": officer.email.upper()})
    assert response.status_code == 302
    (message,) = smtp_server.messages
    assert message["To"] == officer.email
    (link,) = smtp_server.links()
    token = link.rsplit("/", 1)[1]
    # Only the hash is stored.
    assert db.session.execute(sa.select(AccountToken).where(AccountToken.token_hash == token)).first() is None
    assert client.get(link).status_code == 200
    assert client.post(link, data={"password": NEW_PASSWORD}).status_code == 302
    assert client.get(link).status_code == 404
    assert client.post(link, data={"password": "another fine passphrase"}).status_code == 404
    # The new password works, and the second factor is still asked for.
    step_one = client.post("/login", data={"email": officer.email, "password": NEW_PASSWORD})
    assert step_one.headers["Location"].endswith("/login/code")
    assert client.get("/witnesses/").status_code == 302
    assert client.post("/login/code", data={"code": totp_code(officer.email)}).status_code == 302
    assert client.get("/witnesses/").status_code == 200


def test_reset_link_expires(client, officer, smtp_server, clock):
    client.post("/password/forgot", data={"email": officer.email})
    (link,) = smtp_server.links()
    clock.advance(minutes=31)
    assert client.get(link).status_code == 404
    assert client.post(link, data={"password": NEW_PASSWORD}).status_code == 404
    db.session.refresh(officer)
    assert AuthActions(client).login(officer, PASSWORD).status_code == 302


def test_reset_refuses_a_weak_password_and_keeps_the_link(client, officer, smtp_server):
    client.post("/password/forgot", data={"email": officer.email})
    (link,) = smtp_server.links()
    page = client.post(link, data={"password": "123qweasdzxc"})
    assert page.status_code == 200 and b"commonly used" in page.get_data()
    assert client.post(link, data={"password": NEW_PASSWORD}).status_code == 302


def test_forgot_password_answers_the_same_for_unknown_email(client, officer, smtp_server):
    known = client.post("/password/forgot", data={"email": officer.email}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.test"}, follow_redirects=True)
    assert known.get_data() == unknown.get_data()
    assert len(smtp_server.messages) == 1


def test_a_new_reset_link_replaces_the_old_one(client, officer, smtp_server):
    client.post("/password/forgot", data={"email": officer.email})
    client.post("/password/forgot", data={"email": officer.email})
    first, second = smtp_server.links()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_disabled_account_gets_no_reset(client, make_user, smtp_server):
    user = make_user()
    user.active = False
    db.session.commit()
    client.post("/password/forgot", data={"email": user.email})
    assert smtp_server.messages == []


# ---- invitations ----------------------------------------------------------------------------------------


def test_admin_form_has_no_password_field(app, admin):
    client = app.test_client()
    AuthActions(client).login(admin)
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert 'type="password"' not in page


def test_invitation_sets_password_then_requires_enrolment(app, admin, smtp_server):
    _, response = _invite(app, admin)
    assert response.status_code == 302
    user = db.session.execute(sa.select(User).where(User.email == "new.person@example.test")).scalar_one()
    assert user.password_hash is None and user.status == "invited"
    (message,) = smtp_server.messages
    assert message["To"] == "new.person@example.test"
    (link,) = smtp_server.links()
    # Nobody signs in before the invitation is accepted.
    guest = app.test_client()
    assert guest.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 200
    done = guest.post(link, data={"password": NEW_PASSWORD})
    assert done.headers["Location"].endswith("/mfa/enrol")
    assert guest.get("/witnesses/").status_code == 302  # not before enrolment
    assert guest.get("/mfa/enrol").status_code == 200
    assert guest.post("/mfa/enrol", data={"code": totp_code(user.email)}).status_code == 200
    assert guest.get("/witnesses/").status_code == 200
    assert app.test_client().get(link).status_code == 404  # used


def test_invitation_refuses_a_password_with_the_email_name(app, admin, smtp_server):
    _invite(app, admin, email="harbourmaster@example.test")
    (link,) = smtp_server.links()
    page = app.test_client().post(link, data={"password": "i am the harbourmaster"})
    assert b"email name" in page.get_data()


def test_invitation_expires(app, admin, smtp_server, clock):
    _invite(app, admin)
    (link,) = smtp_server.links()
    clock.advance(hours=73)
    assert app.test_client().post(link, data={"password": NEW_PASSWORD}).status_code == 404


def test_resend_invitation_replaces_the_link(app, admin, smtp_server):
    client, _ = _invite(app, admin)
    user = db.session.execute(sa.select(User).where(User.email == "new.person@example.test")).scalar_one()
    client.post(f"/admin/users/{user.id}/resend-invitation")
    first, second = smtp_server.links()
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200


def test_invite_with_bad_email_changes_nothing(app, admin, smtp_server):
    client, response = _invite(app, admin, email="not-an-email")
    assert response.status_code == 200 and b"valid email" in response.get_data()
    assert smtp_server.messages == []
    assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one() == 1


def test_link_tokens_never_reach_a_log_line(app):
    from witness_support.logging_setup import scrub

    line = scrub('"GET /password/reset/abcdefghijklmnopqrstuvwxyz0123456789 HTTP/1.1" 200 -')
    assert "abcdefghijklmnopqrstuvwxyz" not in line and "/password/reset/***" in line
    assert "/invite/***" in scrub("POST /invite/Zyxwvutsrqponmlkjihgfedcba_-123 HTTP/1.1")
