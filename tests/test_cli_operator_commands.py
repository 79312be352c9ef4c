"""flask commands an operator runs by hand: listing accounts, revoking an API token, rebuilding the
name search index, and the notification sweep's counts."""

from __future__ import annotations

import sqlalchemy as sa

from witness_support.auth import operations as auth_ops
from witness_support.auth.models import ApiToken
from witness_support.extensions import db
from witness_support.notifications.models import Notification
from witness_support.witnesses.models import WitnessNameToken
from witness_support.witnesses.views import search_witnesses


def test_users_list_shows_each_account_its_role_and_whether_it_is_disabled(app, admin, officer, make_user):
    gone = make_user("prosecutor")
    auth_ops.set_active(admin, gone, False)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert f"{officer.email}\tliaison_officer\tactive" in lines
    assert f"{gone.email}\tprosecutor\tdisabled" in lines
    assert lines == sorted(lines)  # by email


def test_a_revoked_token_stops_working_at_once(app, client, officer):
    runner = app.test_cli_runner()
    secret = runner.invoke(args=["api-tokens", "create", officer.email]).output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/witnesses", headers=headers).status_code == 200
    token = db.session.execute(sa.select(ApiToken).where(ApiToken.user_id == officer.id)).scalar_one()
    result = runner.invoke(args=["api-tokens", "revoke", str(token.id)])
    assert result.exit_code == 0 and f"Revoked token {token.id}." in result.output
    assert client.get("/api/v1/witnesses", headers=headers).status_code == 401
    unknown = runner.invoke(args=["api-tokens", "revoke", str(token.id + 1000)])
    assert unknown.exit_code != 0 and "No token" in unknown.output


def _found_by_name(user, name: str) -> list[int]:  # noqa: ANN001 - a User
    found = search_witnesses(user, name, None, via="test")
    db.session.commit()
    return [w.id for w in found]


def test_reindex_names_makes_witnesses_findable_by_name_again(app, officer, make_witness):
    witness = make_witness(legal_name="Sekar Ayu Lestari")
    db.session.execute(sa.delete(WitnessNameToken))
    db.session.commit()
    assert _found_by_name(officer, "Lestari") == []
    result = app.test_cli_runner().invoke(args=["witnesses", "reindex-names"])
    assert result.exit_code == 0 and "Indexed the names of 1 witnesses." in result.output
    assert "Sekar" not in result.output  # counts only, never a name
    assert _found_by_name(officer, "Lestari") == [witness.id]


def test_due_and_send_due_print_counts_and_due_changes_nothing(app):
    runner = app.test_cli_runner()
    due = runner.invoke(args=["notifications", "due"])
    assert due.exit_code == 0, due.output
    assert due.output.splitlines() == ["release reminders due 0", "notices due to send 0"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Notification)).scalar() == 0
    sent = runner.invoke(args=["notifications", "send-due", "--limit", "10"])
    assert sent.exit_code == 0, sent.output
    assert sent.output.startswith("sent 0, to officers 0, retrying 0, failed 0, escalated 0")
