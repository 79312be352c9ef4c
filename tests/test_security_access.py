"""Deny by default, walked over every registered route: anonymous users, each role, GET writes nothing.

The tests read the routes from `app.url_map` and each route's permission from the route itself
(`permission_required` records it on the view; the API's `require` records it per endpoint), so
a route added later is covered without editing this file. A route that declares no permission
fails here unless it is in one of the two short lists below.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import Rule

from witness_support.cases import operations as case_ops
from witness_support.extensions import db
from witness_support.notifications import operations as notify_ops
from witness_support.notifications import sweep
from witness_support.notifications.models import Notification
from witness_support.outcomes import operations as outcome_ops
from witness_support.permissions import ROLE_PERMISSIONS, Permission, Role
from witness_support.witnesses import operations as witness_ops

# Reachable without signing in: the sign-in steps (which check their own pending state), the
# single-use links from email (the token is the credential), health, static files, the API's
# description.
PUBLIC = {
    "static",
    "main.health",
    "auth.login",
    "auth.login_code",
    "auth.enrol",
    "auth.forgot_password",
    "auth.reset_password",
    "auth.accept_invitation",
    "api.openapi",
    # A calendar app polls the feed without a session: the secret token in its URL is the credential.
    "feeds.feed",
}
# For anyone signed in, whatever the role: one's own account, home, signing out, one's own tasks.
SIGNED_IN = {
    "main.home",
    "auth.account",
    "auth.change_password",
    "auth.new_recovery_codes",
    "auth.sign_out_everywhere",
    "auth.api_tokens",  # a person's own tokens only (loaded by id and owner)
    "auth.revoke_api_token",
    "auth.logout",
    "tasks.done",
    "api.me_api",  # who the token speaks for
}
# Run last: they end the session the walk is using.
ENDS_SESSION = ("auth.sign_out_everywhere", "auth.logout")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def routes(app: Flask) -> Iterator[tuple[Rule, str]]:
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint in ENDS_SESSION, r.endpoint, r.rule))
    for rule in rules:
        for method in METHODS:
            if method in rule.methods:
                yield rule, method


def is_api(rule: Rule) -> bool:
    return rule.rule.startswith("/api/")


@pytest.fixture
def world(app, officer, prosecutor, admin, make_user, trial_case) -> dict[str, Any]:  # noqa: ANN001
    """One of everything a route can name, and one user per role who may reach all of it."""
    setup = trial_case()
    on_case = case_ops.assign_to_case(officer, setup.case, prosecutor)
    guardian = make_user("support_person")
    witness_ops.assign_support(officer, setup.witness, guardian, "guardian")
    interpreter = make_user("support_person")
    ending = witness_ops.assign_support(officer, setup.witness, interpreter, "interpreter")
    notify_ops.set_preferences(officer, setup.witness, channel="letter", language="en",
                               postal_address="1 Safe Street", contact_is_safe=True)
    outcome = outcome_ops.record_outcome(officer, setup.defendant, verdict="acquitted")
    db.session.commit()
    sweep.send_due()
    notice = db.session.execute(sa.select(Notification)).scalars().first()
    target = make_user("liaison_officer")
    for boss in (officer, prosecutor, guardian):  # each reaches the supervisor's page
        make_user("liaison_officer").supervisor_id = boss.id
    db.session.commit()
    return {
        "users": {Role.LIAISON_OFFICER: officer, Role.PROSECUTOR: prosecutor, Role.SUPPORT_PERSON: guardian,
                  Role.ADMIN: admin},
        "ids": {
            "witness_id": setup.witness.id,
            "case_id": setup.case.id,
            "journey_id": setup.journey.id,
            "defendant_id": setup.defendant.id,
            "outcome_id": outcome.id,
            "notice_id": notice.id,
            "assignment_id": ending.id,
            "case_assignment_id": on_case.id,
            "user_id": target.id,
        },
    }


def url_for_rule(rule: Rule, ids: dict[str, int]) -> str | None:
    """The rule's path with real ids; None when it names a kind of object the world does not hold."""
    values = {}
    for name in rule.arguments:
        if name in ids:
            values[name] = ids[name]
        elif name in ("token", "filename"):
            values[name] = "x" * 20
        else:
            return None
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def placeholder_url(rule: Rule) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "x" * 20 if m.group(1) in ("token", "filename") else "999999",
                  rule.rule)


def call(client, method: str, url: str, api: bool, headers: dict[str, str] | None = None):  # noqa: ANN001, ANN201
    if api:
        # A client of its own: the API takes bearer tokens only, never the browser's session cookie.
        body = {} if method in ("POST", "PUT", "PATCH") else None
        return client.application.test_client().open(url, method=method, json=body, headers=headers or {})
    return client.open(url, method=method, data={} if method != "GET" else None)


def api_permissions(app: Flask, client, headers: dict[str, str]) -> dict[tuple[str, str], Permission]:  # noqa: ANN001
    """Ask each API route once: `require` records its permission before anything else happens."""
    for rule, method in routes(app):
        if is_api(rule) and rule.endpoint not in PUBLIC:
            call(client, method, placeholder_url(rule), True, headers)
    return dict(app.extensions.get("api_permissions", {}))


def required(app: Flask, rule: Rule, method: str, recorded: dict) -> Permission | None:  # noqa: ANN001
    if is_api(rule):
        return recorded.get((rule.endpoint, method))
    return getattr(app.view_functions[rule.endpoint], "required_permission", None)


def test_every_route_declares_a_permission_or_is_listed(app, client, officer, api_token):
    recorded = api_permissions(app, client, api_token(officer))
    undeclared = [
        f"{method} {rule.rule} ({rule.endpoint})"
        for rule, method in routes(app)
        if rule.endpoint not in PUBLIC | SIGNED_IN and required(app, rule, method, recorded) is None
    ]
    assert undeclared == [], "routes with no permission: use permission_required / require(...)"
    assert {r.endpoint for r in app.url_map.iter_rules()} >= PUBLIC | SIGNED_IN  # no stale names


@pytest.mark.own_app
def test_a_route_without_a_permission_is_caught(app, client, officer, api_token):
    """The walk above can fail: a route registered with no decorator is reported."""
    app.add_url_rule("/forgotten", "forgotten", lambda: "open")
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "forgotten")
    assert required(app, rule, "GET", {}) is None and "forgotten" not in PUBLIC | SIGNED_IN


def test_anonymous_users_are_sent_to_login_everywhere_but_public_routes(app, client, world):
    for rule, method in routes(app):
        if rule.endpoint in PUBLIC:
            continue
        url = url_for_rule(rule, world["ids"]) or placeholder_url(rule)
        response = call(client, method, url, is_api(rule))
        where = f"{method} {url}"
        if is_api(rule):
            assert response.status_code == 401, where
            assert response.headers["WWW-Authenticate"].startswith("Bearer"), where
        else:
            assert response.status_code == 302, where
            assert response.headers["Location"].split("?")[0].endswith("/login"), where


def test_each_role_gets_exactly_what_the_permission_table_says(app, client, auth, world, api_token):
    recorded = api_permissions(app, client, api_token(world["users"][Role.LIAISON_OFFICER]))
    checked = 0
    for role, user in world["users"].items():
        granted = ROLE_PERMISSIONS[role]
        headers = api_token(user)
        auth.login(user)
        for rule, method in routes(app):
            if rule.endpoint in PUBLIC:
                continue
            permission = required(app, rule, method, recorded)
            url = url_for_rule(rule, world["ids"])
            where = f"{role} {method} {rule.rule}"
            if rule.endpoint in SIGNED_IN:
                if url is not None and not rule.arguments:
                    response = call(client, method, url, is_api(rule), headers)
                    assert response.status_code not in (404, 500), where
                continue
            assert permission is not None, where
            response = call(client, method, url or placeholder_url(rule), is_api(rule), headers)
            if permission not in granted:
                assert response.status_code == 404, where
            elif url is not None:
                assert response.status_code not in (401, 404, 500), (where, response.status_code)
                assert not (response.status_code == 302 and "/login" in response.headers["Location"]), where
            checked += 1
        auth.logout()
    assert checked > 150


# ---- no state change on GET --------------------------------------------------------------------

# Writes a GET may make, each for a reason:
# - user_sessions UPDATE: the server-side session's last-seen time, which the idle timeout needs;
# - audit_events INSERT of a read of identity data (the witness's identity, a search by name, a
#   letter showing the postal address, notice contacts) or of the audit trail itself: the policy requires every
#   such read to leave a trace (DESIGN.md principle 2; docs/security.md);
# - a view or export of a benefits disclosure schedule, which the ledger's rules require to be audited.
ALLOWED_AUDITED_READS = {
    "benefit.disclosure.view",
    "witness.identity.view",
    "witness.identity.search",
    "notification.letter_view",
    "notification_preference.view",
    "audit.view",
    "audit.export",
    "document.download",  # every download of a document is audited (docs/security.md, "Documents")
}
WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)


@contextmanager
def recorded_writes() -> Iterator[list[tuple[str, str, Any]]]:
    writes: list[tuple[str, str, Any]] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
        match = WRITE.match(statement)
        if match:
            writes.append((match.group(1).split()[0].upper(), match.group(2), parameters))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield writes
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def unexplained(writes: list[tuple[str, str, Any]]) -> list[tuple[str, str]]:
    result = []
    for verb, table, parameters in writes:
        if verb == "UPDATE" and table in ("user_sessions", "api_tokens"):  # "last seen" / "last used", once a minute
            continue
        if verb == "INSERT" and table == "audit_events":
            values = parameters if isinstance(parameters, dict) else {}
            action = values.get("action") if values else next(
                (p for p in (parameters or ()) if isinstance(p, str) and p in ALLOWED_AUDITED_READS), None
            )
            if action in ALLOWED_AUDITED_READS:
                continue
        result.append((verb, table))
    return result


def test_get_changes_nothing(app, client, auth, world, api_token):
    seen_audited_read = False
    for role, user in [(None, None), *world["users"].items()]:
        headers = api_token(user) if user else {}
        if user:
            auth.login(user)
        for rule, method in routes(app):
            if method != "GET" or rule.endpoint == "static":
                continue
            url = url_for_rule(rule, world["ids"]) or placeholder_url(rule)
            with recorded_writes() as writes:
                response = call(client, "GET", url, is_api(rule), headers)
                if is_api(rule):
                    client.application.test_client().head(url, headers=headers)
                else:
                    client.head(url)
            assert response.status_code != 500, (role, url)
            assert unexplained(writes) == [], (role, url)
            seen_audited_read = seen_audited_read or any(t == "audit_events" for _, t, _ in writes)
        if user:
            auth.logout()
    assert seen_audited_read  # the allowance is used, so the filter above is really exercised


def test_the_write_counter_sees_writes(app, officer):
    with recorded_writes() as writes:
        witness_ops.create_witness(officer, legal_name="Counted", preferred_language="en")
        db.session.commit()
    assert ("INSERT", "witnesses") in unexplained(writes)


# ---- CSRF on every state-changing form; the API ignores cookies ---------------------------------


def test_every_state_changing_page_refuses_a_request_without_csrf_token(app, client, auth, world):
    auth.login(world["users"][Role.LIAISON_OFFICER])
    app.config["WTF_CSRF_ENABLED"] = True  # read per request: signing in above used the test setting
    walked = 0
    for rule, method in routes(app):
        if method == "GET" or is_api(rule) or rule.endpoint in ENDS_SESSION:
            continue
        url = url_for_rule(rule, world["ids"]) or placeholder_url(rule)
        with recorded_writes() as writes:
            response = client.open(url, method=method, data={"reason": "x"})
        assert response.status_code == 400, (method, url, response.status_code)
        assert unexplained(writes) == [], (method, url)
        walked += 1
    assert walked >= 20
    assert client.post("/logout").status_code == 400  # even signing out needs the token


def test_the_api_never_accepts_the_session_cookie(app, client, auth, world):
    auth.login(world["users"][Role.LIAISON_OFFICER])
    for rule, method in routes(app):
        if is_api(rule) and rule.endpoint not in PUBLIC:
            url = url_for_rule(rule, world["ids"]) or placeholder_url(rule)
            body = {} if method in ("POST", "PUT", "PATCH") else None
            assert client.open(url, method=method, json=body).status_code == 401, (method, url)
