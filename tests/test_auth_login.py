"""Sign-in: password rules, lockout, identical refusals, TOTP once-only, recovery codes, enrolment."""

from __future__ import annotations

import re

import pyotp
import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, AuthActions, totp_code
from witness_support.audit import AuditEvent
from witness_support.auth import operations as auth_ops
from witness_support.auth.models import LoginAttempt, RecoveryCode, User
from witness_support.auth.passwords import common_passwords, password_problem
from witness_support.errors import ValidationFailed
from witness_support.extensions import db


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars())


# ---- password rules ------------------------------------------------------------------------------


def test_blocklist_is_shipped_and_large(app):
    assert len(common_passwords()) >= 10_000
    assert "123qweasdzxc" in common_passwords()


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short pass", "at least 12"),
        ("x" * 257, "at most 256"),
        ("123qweasdzxc", "commonly used"),
        ("123QWEASDZXC", "commonly used"),
        ("my name is olive.smith ok", "email name"),
        ("I love the Witness room", "witness"),
        ("we-SUPPORT-each-other", "support"),
    ],
)
def test_password_refusals_give_the_reason(app, password, reason):
    assert reason in password_problem(password, "olive.smith@example.test")


@pytest.mark.parametrize(
    "password",
    [
        "tangerine rowboat quietly",  # a passphrase, no composition rules
        "ꙮ ᚠᛟᚱ жёлтый ветер",  # any Unicode (a single character repeated is refused as a repeat)
        " ".join(["lantern", "harbour", "quietly", "orchard", "copper", "meadow", "violin", "glacier", "pepper",
                  "thistle", "morning", "saddle", "kettle", "window", "river", "marble", "basket", "candle"]),
        # long passwords are welcome
        "ﾃｽﾄ ｹﾝｻ ﾌﾗｯｸﾞ hello",  # normalised with NFKC, still accepted
    ],
)
def test_passwords_without_composition_rules_are_accepted(app, password):
    assert password_problem(password, "olive@example.test") is None


def test_nfkc_equivalent_password_signs_in(app, make_user, client):
    user = make_user()
    user.password_hash = auth_ops.hash_password("ｆｕｌｌｗｉｄｔｈ letters here")  # full-width forms
    db.session.commit()
    assert auth_ops.check_password(user.email, "fullwidth letters here") is not None


def test_create_user_refuses_blocklisted_password_by_the_field(app):
    with pytest.raises(ValidationFailed) as caught:
        auth_ops.create_user("new@example.test", role="prosecutor", password="qwerty123456")
    assert "commonly used" in caught.value.field_errors["password"]
    assert db.session.execute(sa.select(User).where(User.email == "new@example.test")).first() is None


def test_change_password_page_shows_the_reason_and_changes_nothing(client, auth, officer):
    auth.login(officer)
    before = officer.password_hash
    page = client.post("/account/password", data={"current_password": PASSWORD, "password": "123qweasdzxc"})
    assert page.status_code == 200
    assert "commonly used" in page.get_data(as_text=True)
    db.session.refresh(officer)
    assert officer.password_hash == before


# ---- identical refusals and lockout -----------------------------------------------------------------


def test_unknown_email_wrong_password_and_locked_get_the_same_answer(client, make_user):
    user = make_user()
    unknown = client.post("/login", data={"email": "nobody@example.test", "password": "whatever it is here"})
    wrong = client.post("/login", data={"email": user.email, "password": "not the right one"})
    user.locked_at = auth_ops.now()
    db.session.commit()
    locked = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert unknown.status_code == wrong.status_code == locked.status_code == 200
    # The pages differ only by the email typed back into the field.
    bodies = [r.get_data(as_text=True).replace(email, "EMAIL")
              for r, email in ((unknown, "nobody@example.test"), (wrong, user.email), (locked, user.email))]
    assert bodies[0] == bodies[1] == bodies[2]
    assert b"do not match an active account" in wrong.get_data()


def test_five_failures_lock_until_an_admin_unlocks(client, make_user, admin, clock):
    user = make_user()
    for _ in range(5):
        client.post("/login", data={"email": user.email.upper(), "password": "wrong wrong wrong"})
    db.session.refresh(user)
    assert user.locked_at is not None
    (lock,) = _events("user.lock")
    assert lock.object_id == user.id and lock.actor_id is None
    # Still locked with the right password, and long after the window.
    clock.advance(hours=5)
    assert AuthActions(client).login(user).status_code == 200
    assert client.get("/witnesses/").status_code == 302
    auth_ops.unlock_user(admin, user)
    db.session.commit()
    assert AuthActions(client).login(user).status_code == 302
    assert client.get("/witnesses/").status_code == 200
    assert _events("user.unlock")


def test_failures_outside_the_window_do_not_lock(app, make_user, clock):
    user = make_user()
    for _ in range(4):
        assert auth_ops.check_password(user.email, "wrong wrong wrong") is None
    clock.advance(minutes=16)
    assert auth_ops.check_password(user.email, "wrong wrong wrong") is None
    db.session.commit()
    assert user.locked_at is None
    assert auth_ops.check_password(user.email, PASSWORD) is user


def test_failures_count_for_unknown_emails(app, clock):
    for _ in range(5):
        auth_ops.check_password("  Ghost@Example.test ", "wrong wrong wrong")
    db.session.commit()
    count = db.session.execute(
        sa.select(sa.func.count()).select_from(LoginAttempt).where(LoginAttempt.email == "ghost@example.test")
    ).scalar_one()
    assert count == 5
    # The earlier failures count against an account that appears under that address: refused,
    # and the refusal is the sixth failure, which locks it.
    user = auth_ops.create_user("ghost@example.test", role="prosecutor", password=PASSWORD)
    db.session.commit()
    assert auth_ops.check_password("ghost@example.test", PASSWORD) is None
    assert user.locked_at is not None


def test_unknown_email_failures_expire_with_the_window(app, clock):
    for _ in range(5):
        auth_ops.check_password("ghost@example.test", "wrong wrong wrong")
    clock.advance(minutes=16)
    auth_ops.create_user("ghost@example.test", role="prosecutor", password=PASSWORD)
    assert auth_ops.check_password("ghost@example.test", PASSWORD) is not None


def test_wrong_codes_count_toward_lockout(client, make_user):
    user = make_user()
    for _ in range(5):
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        client.post("/login/code", data={"code": "000000"})
    db.session.refresh(user)
    assert user.locked_at is not None


def test_a_success_starts_the_count_afresh(app, make_user):
    user = make_user()
    for _ in range(4):
        auth_ops.check_password(user.email, "wrong wrong wrong")
    auth_ops.start_session(user, None, None)
    for _ in range(4):
        auth_ops.check_password(user.email, "wrong wrong wrong")
    db.session.commit()
    assert user.locked_at is None


# ---- the second factor ---------------------------------------------------------------------------------


def test_password_alone_does_not_sign_in(client, officer):
    response = client.post("/login", data={"email": officer.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/login/code")
    assert client.get("/witnesses/").status_code == 302
    assert client.get("/login/code").status_code == 200


def test_code_page_without_a_password_step_goes_back_to_login(client):
    assert client.get("/login/code").headers["Location"].endswith("/login")
    assert client.post("/login/code", data={"code": "123456"}).headers["Location"].endswith("/login")


def test_pending_step_expires(client, officer, clock):
    client.post("/login", data={"email": officer.email, "password": PASSWORD})
    clock.advance(minutes=11)
    response = client.post("/login/code", data={"code": totp_code(officer.email)})
    assert response.headers["Location"].endswith("/login")
    assert client.get("/witnesses/").status_code == 302


def test_each_totp_code_works_once(client, officer, clock):
    code = pyotp.TOTP(officer.totp_secret).at(clock.now)
    client.post("/login", data={"email": officer.email, "password": PASSWORD})
    assert client.post("/login/code", data={"code": code}).status_code == 302
    client.post("/logout")
    client.post("/login", data={"email": officer.email, "password": PASSWORD})
    replay = client.post("/login/code", data={"code": code})
    assert replay.status_code == 200
    assert b"not valid" in replay.get_data()
    assert client.get("/witnesses/").status_code == 302


def test_totp_accepts_one_step_of_drift_but_not_more(app, officer, clock):
    totp = pyotp.TOTP(officer.totp_secret)
    assert auth_ops.check_second_factor(officer, totp.at(clock.now.timestamp() - 30))
    assert not auth_ops.check_second_factor(officer, totp.at(clock.now.timestamp() - 90))
    # An older step than the last accepted one is never accepted again.
    clock.advance(seconds=30)
    assert auth_ops.check_second_factor(officer, totp.at(clock.now))
    assert not auth_ops.check_second_factor(officer, totp.at(clock.now.timestamp() - 60))


def _enrol_through_pages(client, user) -> list[str]:  # noqa: ANN001
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).headers[
        "Location"].endswith("/mfa/enrol")
    page = client.get("/mfa/enrol")
    assert page.status_code == 200
    done = client.post("/mfa/enrol", data={"code": totp_code(user.email)})
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    import re

    return re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", html)


def test_user_without_mfa_is_sent_to_enrolment_first(client, make_user):
    user = make_user(mfa=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/mfa/enrol")
    assert client.get("/witnesses/").status_code == 302  # nothing before enrolment
    db.session.refresh(user)
    secret = user.totp_secret  # made by the password step (a POST); a GET changes nothing
    client.get("/mfa/enrol")  # shows the flash left by the refused page above
    page = client.get("/mfa/enrol").get_data(as_text=True)
    assert client.get("/mfa/enrol").get_data(as_text=True) == page
    db.session.refresh(user)
    assert user.totp_secret == secret and secret in page
    assert 'src="data:image/svg+xml' in page
    # The CSP forbids inline style and script: the only scripts are files from static/.
    assert "style=" not in page
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and all(re.fullmatch(r'<script src="/static/[\w/.-]+\.js" defer>', tag) for tag in scripts)
    wrong = client.post("/mfa/enrol", data={"code": "000000"})
    assert b"does not match" in wrong.get_data()
    assert client.get("/witnesses/").status_code == 302


def test_enrolment_shows_recovery_codes_once_and_stores_them_hashed(client, make_user):
    user = make_user(mfa=False)
    codes = _enrol_through_pages(client, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/witnesses/").status_code == 200
    db.session.refresh(user)
    assert user.mfa_enrolled
    stored = db.session.execute(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).scalars()
    stored = set(stored)
    assert len(stored) == 10
    assert not {c.replace("-", "") for c in codes} & stored and not set(codes) & stored
    assert client.get("/mfa/enrol").headers["Location"].endswith("/login")


def test_recovery_code_signs_in_once(app, make_user):
    user = make_user(mfa=False)
    client = app.test_client()
    codes = _enrol_through_pages(client, user)
    client.post("/logout")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert client.post("/login/code", data={"code": codes[3].upper()}).status_code == 302
    assert client.get("/witnesses/").status_code == 200
    assert _events("auth.recovery_code_used")
    client.post("/logout")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 200
    assert client.get("/witnesses/").status_code == 302


def test_api_tokens_need_no_second_factor(client, make_user, api_token):
    user = make_user(mfa=False)
    assert client.get("/api/v1/witnesses", headers=api_token(user)).status_code == 200
