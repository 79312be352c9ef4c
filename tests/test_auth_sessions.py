"""Server-side sessions: timeouts on a controllable clock, every trigger that ends all sessions,
a new session at sign-in, cookie flags."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, AuthActions
from witness_support.auth import operations as auth_ops
from witness_support.auth.models import UserSession
from witness_support.extensions import db


def _signed_in(client) -> bool:  # noqa: ANN001
    return client.get("/witnesses/").status_code == 200


def _sessions(user) -> list[UserSession]:  # noqa: ANN001
    return list(db.session.execute(
        sa.select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    ).scalars())


def test_sign_in_records_a_server_side_session(client, auth, officer):
    auth.login(officer)
    (record,) = _sessions(officer)
    assert record.ended_at is None and record.ip == "127.0.0.1"
    assert record.user_agent
    # The cookie holds a random id whose hash is stored, never the stored value itself.
    with client.session_transaction() as flask_session:
        assert flask_session["sid"] and flask_session["sid"] != record.sid_hash


def test_idle_timeout_ends_the_session(client, auth, officer, clock):
    auth.login(officer)
    clock.advance(minutes=29)
    assert _signed_in(client)
    clock.advance(minutes=29)  # activity above kept it alive
    assert _signed_in(client)
    clock.advance(minutes=31)
    assert not _signed_in(client)
    (record,) = _sessions(officer)
    assert record.ended_reason == "idle_timeout"


def test_absolute_timeout_ends_even_an_active_session(client, auth, officer, clock):
    auth.login(officer)
    for _ in range(35):  # 35 × 20 minutes: always active, 11 h 40 in all
        clock.advance(minutes=20)
        assert _signed_in(client)
    clock.advance(minutes=21)
    assert not _signed_in(client)
    assert _sessions(officer)[0].ended_reason == "absolute_timeout"


def test_timeouts_are_settings(client, auth, officer, clock, app):
    app.config["SESSION_IDLE_MINUTES"] = 5
    auth.login(officer)
    clock.advance(minutes=6)
    assert not _signed_in(client)


def test_new_session_at_sign_in(client, auth, officer):
    with client.session_transaction() as flask_session:
        flask_session["planted"] = "by an attacker"
    auth.login(officer)
    with client.session_transaction() as flask_session:
        first = flask_session["sid"]
        assert "planted" not in flask_session
    client.post("/logout")
    auth.login(officer)
    with client.session_transaction() as flask_session:
        assert flask_session["sid"] != first


def _admin_client(app, admin):  # noqa: ANN001, ANN202
    client = app.test_client()
    AuthActions(client).login(admin)
    return client


@pytest.mark.parametrize(
    "trigger",
    ["logout", "password_change", "mfa_reset", "role_change", "disable", "sign_out_everywhere", "reset_link"],
)
def test_each_trigger_ends_every_session_of_the_user(app, officer, admin, trigger, smtp_server):
    phone, laptop = app.test_client(), app.test_client()
    AuthActions(phone).login(officer)
    AuthActions(laptop).login(officer)
    assert _signed_in(phone) and _signed_in(laptop)
    if trigger == "logout":
        laptop.post("/logout")
    elif trigger == "password_change":
        laptop.post("/account/password", data={"current_password": PASSWORD, "password": "a brand new passphrase"})
    elif trigger == "mfa_reset":
        _admin_client(app, admin).post(f"/admin/users/{officer.id}/reset-mfa")
    elif trigger == "role_change":
        _admin_client(app, admin).post(f"/admin/users/{officer.id}", data={"role": "prosecutor", "active": "1"})
    elif trigger == "disable":
        _admin_client(app, admin).post(f"/admin/users/{officer.id}", data={"role": officer.role, "active": "0"})
    elif trigger == "sign_out_everywhere":
        _admin_client(app, admin).post(f"/admin/users/{officer.id}/sign-out")
    elif trigger == "reset_link":
        app.test_client().post("/password/forgot", data={"email": officer.email})
        (link,) = smtp_server.links()
        app.test_client().post(link, data={"password": "a brand new passphrase"})
    assert not _signed_in(phone)
    assert not _signed_in(laptop)
    assert all(s.ended_at is not None for s in _sessions(officer))


def test_admin_sees_active_sessions(app, officer, admin):
    AuthActions(app.test_client()).login(officer)
    page = _admin_client(app, admin).get(f"/admin/users/{officer.id}").get_data(as_text=True)
    assert "No active session" not in page and "127.0.0.1" in page
    assert "Sign out everywhere" in page
    assert len(auth_ops.active_sessions(officer)) == 1


def test_session_cookie_flags(client, officer):
    response = client.post("/login", data={"email": officer.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = client.post("/login", data={"email": officer.email, "password": PASSWORD},
                         base_url="https://witness.test")
    assert "Secure" in secure.headers["Set-Cookie"]


def test_rate_limit_on_login_per_ip(app_config):
    from witness_support import create_app

    app = create_app({**app_config, "RATELIMIT_ENABLED": True})
    with app.app_context():
        if not app_config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            db.create_all()
        client = app.test_client()
        statuses = [
            client.post("/login", data={"email": "x@example.test", "password": "wrong wrong wrong"}).status_code
            for _ in range(11)
        ]
        db.session.remove()
        db.engine.dispose()
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


@pytest.mark.real_commits
def test_account_page_lists_own_sessions_and_signs_out_everywhere(app, officer):
    phone, laptop = app.test_client(), app.test_client()
    AuthActions(phone).login(officer)
    AuthActions(laptop).login(officer)
    page = laptop.get("/account").get_data(as_text=True)
    assert page.count("127.0.0.1") == 2 and "(this one)" in page
    assert app.test_client().get("/account").status_code == 302
    laptop.post("/account/sign-out-everywhere")
    assert not _signed_in(phone) and not _signed_in(laptop)


@pytest.mark.real_commits
def test_new_recovery_codes_need_the_current_code(app, officer):
    from tests.helpers import totp_code

    client = app.test_client()
    AuthActions(client).login(officer)
    refused = client.post("/account/recovery-codes", data={"code": "000000"}, follow_redirects=True)
    assert b"not valid" in refused.get_data()
    assert auth_ops.unused_recovery_codes(officer) == 0
    page = client.post("/account/recovery-codes", data={"code": totp_code(officer.email)})
    assert page.status_code == 200 and b"no longer work" in page.get_data()
    assert auth_ops.unused_recovery_codes(officer) == 10


@pytest.mark.real_commits
def test_two_step_sign_in_with_csrf_on(app, officer):
    """The real forms carry their CSRF tokens through both steps."""
    import re

    from flask import g

    from tests.helpers import totp_code

    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()

    def token(path: str) -> str:
        # pytest-flask's request context makes every test request share one `g`, where
        # Flask-WTF caches the token; a browser's requests never share it.
        g.pop("csrf_token", None)
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).get_data(as_text=True))[1]

    assert client.post("/login", data={"email": officer.email, "password": PASSWORD}).status_code == 400
    step_one = client.post("/login", data={"email": officer.email, "password": PASSWORD, "csrf_token": token("/login")})
    assert step_one.headers["Location"].endswith("/login/code")
    code = client.post("/login/code", data={"code": totp_code(officer.email), "csrf_token": token("/login/code")})
    assert code.status_code == 302
    assert _signed_in(client)
    assert client.post("/logout").status_code == 400  # no token, no sign-out
