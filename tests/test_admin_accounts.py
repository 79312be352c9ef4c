"""Admin pages: accounts (roles, teams, disable, unlock, reset MFA, sessions) and the audit trail
with its filters and CSV export, reading it audited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, AuthActions
from witness_support.audit import AuditEvent
from witness_support.auth import operations as auth_ops
from witness_support.auth.models import Team
from witness_support.db import utc_now
from witness_support.extensions import db

ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/teams", "/admin/audit", "/admin/audit.csv"]


def _client(app, user):  # noqa: ANN001, ANN202
    client = app.test_client()
    AuthActions(client).login(user)
    return client


def _actions() -> list[str]:
    return list(db.session.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars())


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_per_role(app, admin, officer, prosecutor, path):
    assert _client(app, admin).get(path).status_code == 200
    assert _client(app, officer).get(path).status_code == 404
    assert _client(app, prosecutor).get(path).status_code == 404
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


@pytest.mark.parametrize("action", ["unlock", "reset-mfa", "sign-out", "resend-invitation"])
def test_account_actions_are_admin_only(app, admin, officer, action):
    assert _client(app, officer).post(f"/admin/users/{admin.id}/{action}").status_code == 404
    assert app.test_client().post(f"/admin/users/{admin.id}/{action}").status_code == 302
    assert _client(app, admin).post(f"/admin/users/999/{action}").status_code == 404


def test_user_pages_show_locked_accounts(app, admin, make_user):
    user = make_user()
    for _ in range(5):
        auth_ops.check_password(user.email, "wrong wrong wrong")
    db.session.commit()
    client = _client(app, admin)
    assert "Locked" in client.get("/admin/users").get_data(as_text=True)
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Unlock" in page
    client.post(f"/admin/users/{user.id}/unlock")
    db.session.refresh(user)
    assert user.locked_at is None
    assert "user.unlock" in _actions()


def test_unlock_of_an_unlocked_account_is_refused_clearly(app, admin, officer):
    page = _client(app, admin).post(f"/admin/users/{officer.id}/unlock", follow_redirects=True)
    assert b"not locked" in page.get_data()


def test_reset_mfa_sends_the_person_to_enrolment(app, admin, officer):
    _client(app, admin).post(f"/admin/users/{officer.id}/reset-mfa")
    db.session.refresh(officer)
    assert not officer.mfa_enrolled and officer.totp_secret is None
    response = app.test_client().post("/login", data={"email": officer.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/mfa/enrol")
    assert "user.mfa_reset" in _actions()


def test_role_and_teams_change(app, admin, officer):
    client = _client(app, admin)
    client.post("/admin/teams", data={"name": "Jakarta unit"})
    team = db.session.execute(sa.select(Team)).scalar_one()
    response = client.post(f"/admin/users/{officer.id}",
                           data={"role": "prosecutor", "active": "1", "teams": [str(team.id)]})
    assert response.status_code == 302
    db.session.refresh(officer)
    assert officer.role == "prosecutor" and [t.name for t in officer.teams] == ["Jakarta unit"]
    assert {"team.create", "user.role", "user.teams"} <= set(_actions())
    assert "Jakarta unit" in client.get("/admin/teams").get_data(as_text=True)


def test_duplicate_team_is_refused(app, admin):
    client = _client(app, admin)
    client.post("/admin/teams", data={"name": "Jakarta unit"})
    page = client.post("/admin/teams", data={"name": "jakarta UNIT"})
    assert page.status_code == 200 and b"Already in use" in page.get_data()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Team)).scalar_one() == 1


def test_admin_cannot_disable_or_demote_themselves(app, admin):
    client = _client(app, admin)
    page = client.post(f"/admin/users/{admin.id}", data={"role": "admin", "active": "0"})
    assert b"cannot disable your own" in page.get_data()
    page = client.post(f"/admin/users/{admin.id}", data={"role": "prosecutor", "active": "1"})
    assert b"cannot change your own role" in page.get_data()
    db.session.refresh(admin)
    assert admin.active and admin.role == "admin"


def test_disabled_user_cannot_sign_in(app, admin, officer):
    _client(app, admin).post(f"/admin/users/{officer.id}", data={"role": officer.role, "active": "0"})
    assert AuthActions(app.test_client()).login(officer).status_code == 200


# ---- audit trail --------------------------------------------------------------------------------------


def test_audit_filters_by_user_action_witness_and_date(app, admin, officer, make_witness):
    witness = make_witness()
    make_witness()
    client = _client(app, admin)
    page = client.get("/admin/audit", query_string={"witness": witness.reference}).get_data(as_text=True)
    assert witness.reference in page and "witness.create" in page
    page = client.get("/admin/audit", query_string={"user": officer.email, "action": "witness.create"})
    assert page.get_data(as_text=True).count("<td>witness.create</td>") == 2
    today = utc_now().date()
    future = client.get("/admin/audit", query_string={"date_from": (today + timedelta(days=1)).isoformat()})
    assert "No events match" in future.get_data(as_text=True)
    past = client.get("/admin/audit", query_string={"date_to": (today - timedelta(days=1)).isoformat()})
    assert "No events match" in past.get_data(as_text=True)
    current = client.get("/admin/audit", query_string={"date_from": today.isoformat(), "date_to": today.isoformat()})
    assert "witness.create" in current.get_data(as_text=True)
    bad = client.get("/admin/audit", query_string={"date_from": "yesterday"})
    assert bad.status_code == 400 and b"Not a valid date" in bad.get_data()


def test_reading_the_audit_trail_is_audited(app, admin):
    _client(app, admin).get("/admin/audit", query_string={"action": "auth.login"})
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "audit.view")).scalar_one()
    assert event.actor_id == admin.id and event.details == {"action": "auth.login"}


def test_audit_csv_export(app, admin, officer, make_witness):
    witness = make_witness()
    client = _client(app, admin)
    response = client.get("/admin/audit.csv", query_string={"witness": witness.reference})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows and all(r["witness"] == witness.reference for r in rows)
    assert {r["action"] for r in rows} >= {"witness.create"}
    assert witness.legal_name not in response.get_data(as_text=True)
    export = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "audit.export")).scalar_one()
    assert export.actor_id == admin.id and export.details["rows"] == len(rows)


def test_audit_csv_defuses_formulas(app, admin):
    auth_ops.check_password("=cmd@example.test", "wrong wrong wrong")
    db.session.add(AuditEvent(action="=HYPERLINK(1)", object_type="system", details={}))
    db.session.commit()
    body = _client(app, admin).get("/admin/audit.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in body
