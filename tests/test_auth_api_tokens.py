"""Personal API tokens: they expire, every security action on the account ends them (but an
admin-marked service token survives all but disabling), they are listed and revoked by their
owner and by admins, and a refused token answers 401 saying why."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD
from witness_support.audit import AuditEvent
from witness_support.auth import operations as auth_ops
from witness_support.auth.models import ApiToken
from witness_support.extensions import db

API = "/api/v1/witnesses"


def _token(user, service=False, **kwargs):  # noqa: ANN001, ANN202
    token, secret = auth_ops.create_api_token(user, "script", **kwargs)
    token.service = service
    db.session.commit()
    return token, {"Authorization": f"Bearer {secret}"}


def _actions():  # noqa: ANN202
    """Each security action, played the way a person or the lockout rule plays it."""

    def lockout(user, admin):  # noqa: ANN001, ANN202
        for _ in range(5):
            auth_ops.record_failure(user.email)

    def sign_out_everywhere(user, admin):  # noqa: ANN001, ANN202
        auth_ops.sign_out_everywhere(admin, user)

    def mfa_reset(user, admin):  # noqa: ANN001, ANN202
        auth_ops.reset_mfa(admin, user)

    def password_change(user, admin):  # noqa: ANN001, ANN202
        auth_ops.change_password(user, PASSWORD, "tangerine rowboat quietly")

    def password_reset(user, admin):  # noqa: ANN001, ANN202
        auth_ops.complete_with_token("reset", auth_ops._issue_token(user, "reset", timedelta(minutes=5)),
                                     "tangerine rowboat quietly")

    def disabled(user, admin):  # noqa: ANN001, ANN202
        auth_ops.set_active(admin, user, False)

    return {f.__name__: f for f in (lockout, sign_out_everywhere, mfa_reset, password_change, password_reset,
                                    disabled)}


ACTIONS = ["lockout", "sign_out_everywhere", "mfa_reset", "password_change", "password_reset", "disabled"]


@pytest.mark.parametrize("kind", ["personal", "service"])
@pytest.mark.parametrize("action", ACTIONS)
def test_each_security_action_ends_tokens_but_service_tokens(app, client, clock, make_user, admin, action, kind):
    user = make_user("liaison_officer")
    token, headers = _token(user, service=kind == "service")
    other, other_headers = _token(make_user("liaison_officer"))
    assert client.get(API, headers=headers).status_code == 200

    _actions()[action](user, admin)
    db.session.commit()

    response = client.get(API, headers=headers)
    survives = kind == "service" and action != "disabled"
    if survives:
        assert response.status_code == 200
    else:
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "token_revoked"
        db.session.refresh(token)
        assert token.revoked_reason == action
        event = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "api_token.revoke_all", AuditEvent.object_id == user.id)
        ).scalar_one()
        assert event.details == {"reason": action, "tokens": 1}
    # Another person's token is untouched.
    assert client.get(API, headers=other_headers).status_code == 200


def test_logout_and_role_change_leave_tokens_working(app, client, make_user, admin):
    user = make_user("liaison_officer")
    _, headers = _token(user)
    auth_ops.logout(user)
    auth_ops.set_role(admin, user, "prosecutor")
    db.session.commit()
    assert client.get(API, headers=headers).status_code == 200


def test_tokens_expire_after_the_default_or_the_chosen_days(app, client, clock, officer):
    default, default_headers = _token(officer)
    short, short_headers = _token(officer, days=2)
    assert default.expires_at == default.created_at + timedelta(days=90)
    assert short.expires_at == short.created_at + timedelta(days=2)
    clock.advance(days=2, seconds=1)
    refused = client.get(API, headers=short_headers)
    assert refused.status_code == 401
    assert refused.get_json()["error"] == {
        "code": "token_expired", "message": "This API token has expired. Create a new one on your account page."}
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(API, headers=default_headers).status_code == 200
    clock.advance(days=88)
    assert client.get(API, headers=default_headers).get_json()["error"]["code"] == "token_expired"
    # An unknown token learns nothing more than "send a valid token".
    unknown = client.get(API, headers={"Authorization": "Bearer wst_not-a-token"})
    assert unknown.status_code == 401 and unknown.get_json()["error"]["code"] == "unauthorized"


def test_the_setting_and_limits_of_the_lifetime(app, officer):
    app.config["API_TOKEN_DEFAULT_DAYS"] = 7
    token, _ = auth_ops.create_api_token(officer, "weekly")
    assert token.expires_at - token.created_at == timedelta(days=7)
    for days in (0, -1, 366, True):
        with pytest.raises(auth_ops.ValidationFailed) as caught:
            auth_ops.create_api_token(officer, "bad", days=days)
        assert "days" in caught.value.field_errors


def test_cli_takes_days_and_refuses_a_bad_lifetime(app, client, officer):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["api-tokens", "create", officer.email, "--days", "3"])
    assert result.exit_code == 0, result.output
    token = db.session.execute(sa.select(ApiToken).where(ApiToken.user_id == officer.id)).scalar_one()
    assert token.expires_at - token.created_at == timedelta(days=3)
    bad = runner.invoke(args=["api-tokens", "create", officer.email, "--days", "400"])
    assert bad.exit_code != 0 and "from 1 to 365" in bad.output
    assert db.session.execute(sa.select(sa.func.count()).select_from(ApiToken)).scalar() == 1


def test_last_use_is_recorded(app, client, officer):
    token, headers = _token(officer)
    assert token.last_used_at is None
    client.get(API, headers=headers)
    db.session.refresh(token)
    assert token.last_used_at is not None


# ---- the pages ---------------------------------------------------------------------------------------


def test_a_person_creates_lists_and_revokes_their_own_tokens(app, client, auth, officer, make_user):
    stranger = make_user("liaison_officer", display_name="Stan Stranger")
    theirs, _ = _token(stranger)
    theirs.name = "stranger-secret-script"
    db.session.commit()
    auth.login(officer)
    page = client.post("/account/api-tokens", data={"name": "nightly export", "days": "30"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "wst_" in body and "nightly export" in body
    assert "stranger-secret-script" not in body
    mine = db.session.execute(sa.select(ApiToken).where(ApiToken.user_id == officer.id)).scalar_one()
    assert mine.expires_at - mine.created_at == timedelta(days=30)
    listing = client.get("/account/api-tokens").get_data(as_text=True)
    assert "nightly export" in listing and "wst_" not in listing  # the secret is shown once
    assert "stranger-secret-script" not in listing

    # Another person's token and a missing one: the same 404, nothing changed.
    assert client.post(f"/account/api-tokens/{theirs.id}/revoke").status_code == 404
    assert client.post("/account/api-tokens/999999/revoke").status_code == 404
    db.session.refresh(theirs)
    assert theirs.revoked_at is None

    assert client.post(f"/account/api-tokens/{mine.id}/revoke").status_code == 302
    db.session.refresh(mine)
    assert mine.revoked_reason == "revoked"
    events = db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.object_id == mine.id,
                                                                   AuditEvent.object_type == "apitoken")).scalars()
    assert sorted(events) == ["api_token.create", "api_token.revoke"]


def test_bad_token_form_input_shows_by_the_field_and_creates_nothing(app, client, auth, officer):
    auth.login(officer)
    for data in ({"name": "", "days": "5"}, {"name": "x", "days": "1000"}, {"name": "x", "days": "soon"},
                 {"name": "x" * 81}):
        page = client.post("/account/api-tokens", data=data)
        assert page.status_code == 200 and 'class="error-message"' in page.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(ApiToken)).scalar() == 0


@pytest.mark.parametrize("role", ["liaison_officer", "prosecutor", "support_person"])
def test_only_admins_reach_the_token_admin_pages(app, client, auth, make_user, officer, role):
    token, _ = _token(officer)
    auth.login(make_user(role))
    assert client.get("/admin/api-tokens").status_code == 404
    assert client.post(f"/admin/api-tokens/{token.id}/revoke").status_code == 404
    assert client.post(f"/admin/api-tokens/{token.id}/service", data={"service": "1"}).status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None and not token.service


def test_admins_list_mark_and_revoke_any_token(app, client, auth, admin, officer, make_user):
    token, headers = _token(officer)
    _, other_headers = _token(make_user("prosecutor"))
    auth.login(admin)
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    assert officer.email in page and "script" in page and "Never" in page

    assert client.post(f"/admin/api-tokens/{token.id}/service", data={"service": "1"}).status_code == 302
    db.session.refresh(token)
    assert token.service
    marked = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "api_token.service")).scalar_one()
    assert marked.actor_id == admin.id and marked.details == {"owner": officer.id, "service": True}

    # Marked, it survives signing out everywhere.
    auth_ops.sign_out_everywhere(admin, officer)
    db.session.commit()
    assert app.test_client().get(API, headers=headers).status_code == 200

    assert client.post(f"/admin/api-tokens/{token.id}/revoke").status_code == 302
    assert app.test_client().get(API, headers=headers).get_json()["error"]["code"] == "token_revoked"
    assert app.test_client().get(API, headers=other_headers).status_code == 200
    assert client.post("/admin/api-tokens/999999/revoke").status_code == 404
    # A revoked token cannot be marked.
    client.post(f"/admin/api-tokens/{token.id}/service", data={"service": "0"})
    db.session.refresh(token)
    assert token.service
