"""Hostile input against links and redirects: absolute links come from PUBLIC_BASE_URL and never
from Host / X-Forwarded-Host; other hosts answer 400 (TRUSTED_HOSTS); one safe-redirect check for
every `next`; seed-demo refuses a database with data; input classes that used to answer 500."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.helpers import PASSWORD, AuthActions, totp_code
from witness_support import create_app, demo_marker_path, links
from witness_support.auth.models import User
from witness_support.cases.models import Case
from witness_support.extensions import db
from witness_support.tasks.operations import create_task
from witness_support.timezones import is_iana_timezone
from witness_support.web import safe_next
from witness_support.witnesses.models import Witness

BASE = "https://witness.test"  # PUBLIC_BASE_URL of the test configuration
HOSTILE_HEADERS = [
    {"Host": "evil.invalid"},
    {"Host": "evil.invalid:443"},
    {"X-Forwarded-Host": "evil.invalid", "X-Forwarded-Proto": "http", "X-Forwarded-Prefix": "/evil"},
    {"Forwarded": "host=evil.invalid;proto=http"},
]


@contextmanager
def _second_app(config: dict) -> Iterator[Flask]:
    """Another app on the test's database; its connections are closed when the test is done."""
    other = create_app(config)
    try:
        yield other
    finally:
        with other.app_context():
            db.engine.dispose()


def _proxied_app(app_config: dict, **extra: object) -> AbstractContextManager[Flask]:
    """An app behind the documented proxy setting: X-Forwarded-Host is believed for one hop."""
    return _second_app({**app_config, "PROXY_FIX_HOPS": 1, **extra})


def _assert_only_base_links(inbox, count: int = 1) -> None:  # noqa: ANN001 - conftest Inbox
    links_sent = inbox.links()
    assert len(links_sent) == count
    assert all(link.startswith(BASE + "/") for link in links_sent), links_sent
    assert not any("evil" in body for body in inbox.bodies())


def _session_also_for_evil_host(browser) -> None:  # noqa: ANN001 - test client
    """The test client sends cookies by the request's host: give the signed-in session to the
    attacker-chosen host too, as a browser would when the attacker's Host reaches our server."""
    cookie = browser.get_cookie("session", domain="witness.test")
    browser.set_cookie("session", cookie.value, domain="evil.invalid")


# ---- 1. absolute links from PUBLIC_BASE_URL -------------------------------------------------------


@pytest.mark.parametrize("headers", HOSTILE_HEADERS)
def test_reset_link_ignores_the_request_host(client, officer, smtp_server, headers):
    client.post("/password/forgot", data={"email": officer.email}, headers=headers)
    _assert_only_base_links(smtp_server)


# The proxied app is a second app on the same database, with its own engine: it must see the
# officer committed for real.
@pytest.mark.real_commits
@pytest.mark.parametrize("headers", HOSTILE_HEADERS)
def test_reset_link_ignores_forwarded_host_behind_the_proxy(app, app_config, officer, smtp_server, headers):
    with _proxied_app(app_config, MAIL_PORT=app.config["MAIL_PORT"]) as proxied:
        proxied.test_client().post("/password/forgot", data={"email": officer.email}, headers=headers)
    _assert_only_base_links(smtp_server)


@pytest.mark.parametrize("headers", HOSTILE_HEADERS)
def test_invitation_link_ignores_the_request_host(app, admin, smtp_server, headers):
    browser = app.test_client()
    AuthActions(browser).login(admin)
    _session_also_for_evil_host(browser)
    created = browser.post("/admin/users/new", data={"email": "new.person@example.test", "role": "liaison_officer"},
                           headers=headers)
    assert created.status_code == 302
    _assert_only_base_links(smtp_server)
    user = db.session.execute(sa.select(User).where(User.email == "new.person@example.test")).scalar_one()
    browser.post(f"/admin/users/{user.id}/resend-invitation", headers=headers)
    _assert_only_base_links(smtp_server, count=2)


@pytest.mark.parametrize("headers", HOSTILE_HEADERS)
def test_feed_link_shown_on_the_page_ignores_the_request_host(client, auth, support_person, headers):
    auth.login(support_person)
    _session_also_for_evil_host(client)
    page = client.post("/calendar-feed/rotate", headers=headers, follow_redirects=True).get_data(as_text=True)
    assert f'value="{BASE}/feeds/' in page and 'value="webcal://witness.test/feeds/' in page
    assert "evil" not in page


def test_feed_base_url_overrides_for_feeds_only(app, client, auth, support_person, officer, smtp_server):
    app.config["FEED_BASE_URL"] = "https://calendar.witness.test"
    auth.login(support_person)
    _session_also_for_evil_host(client)
    page = client.post("/calendar-feed/rotate", headers={"Host": "evil.invalid"},
                       follow_redirects=True).get_data(as_text=True)
    assert 'value="https://calendar.witness.test/feeds/' in page
    client.post("/password/forgot", data={"email": officer.email})
    _assert_only_base_links(smtp_server)


def test_notice_emails_carry_no_link_from_a_request(app, officer, trial_case, smtp_server):
    from witness_support.notifications import operations as notify_ops
    from witness_support.notifications import sweep
    from witness_support.outcomes import operations as outcome_ops

    setup = trial_case()
    notify_ops.set_preferences(officer, setup.witness, language="en", channel="email",
                               email="safe@example.test", contact_is_safe=True)
    outcome_ops.record_outcome(officer, setup.defendant, verdict="acquitted")
    db.session.commit()
    with app.test_request_context("/", headers={"Host": "evil.invalid", "X-Forwarded-Host": "evil.invalid"}):
        assert sweep.send_due().sent >= 1
    bodies = smtp_server.bodies()
    assert bodies and not any("evil" in body for body in bodies)
    assert all(link.startswith(BASE + "/") for link in smtp_server.links())


def _production(app: Flask) -> None:
    """Outside development: PUBLIC_BASE_URL is required."""
    app.config.update(TESTING=False, PUBLIC_BASE_URL="")


def test_without_a_public_address_no_reset_is_sent_and_the_page_says_so(app, client, officer, smtp_server, caplog):
    _production(app)
    caplog.set_level(logging.ERROR)
    for email in (officer.email, "nobody@example.test"):  # the same answer for both: nothing revealed
        page = client.post("/password/forgot", data={"email": email})
        assert page.status_code == 503 and "could not be sent" in page.get_data(as_text=True)
    assert smtp_server.messages == []
    assert "PUBLIC_BASE_URL is not set" in caplog.text
    assert not db.session.execute(sa.text("SELECT count(*) FROM account_tokens")).scalar()


def test_without_a_public_address_no_invitation_is_made(app, admin, smtp_server, caplog):
    browser = app.test_client()
    AuthActions(browser).login(admin)
    _production(app)
    page = browser.post("/admin/users/new", data={"email": "new.person@example.test", "role": "liaison_officer"})
    assert page.status_code == 200 and "could not be sent" in page.get_data(as_text=True)
    assert smtp_server.messages == []
    assert db.session.execute(sa.select(User).where(User.email == "new.person@example.test")).first() is None


def test_without_a_public_address_the_feed_link_is_not_replaced(app, client, auth, support_person):
    auth.login(support_person)
    client.post("/calendar-feed/rotate")
    _production(app)
    page = client.post("/calendar-feed/rotate", follow_redirects=True).get_data(as_text=True)
    assert "could not be sent" in page and "/feeds/" not in page
    result = app.test_cli_runner().invoke(args=["feeds", "issue", support_person.email])
    assert result.exit_code != 0 and "PUBLIC_BASE_URL" in result.output


@pytest.mark.parametrize("mode", ["DEBUG", "DEMO_MODE", "TESTING"])
def test_development_falls_back_to_the_plain_http_development_address(app, mode):
    app.config.update({"TESTING": False, "PUBLIC_BASE_URL": "", mode: True})
    assert links.public_base_url() == "http://127.0.0.1:5000"
    assert links.public_url("auth.reset_password", token="t") == "http://127.0.0.1:5000/password/reset/t"


@pytest.mark.parametrize("bad", ["witness.test", "ftp://witness.test", "https://", "https://a@evil.invalid",
                                 "https://witness.test/?x=1", "https://witness.test/#f", "javascript:alert(1)",
                                 "https://witness.test\\@evil.invalid", " https://wit ness.test"])
def test_a_malformed_public_address_stops_the_app_at_start(app_config, bad):
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app({**app_config, "PUBLIC_BASE_URL": bad})


def test_trusted_hosts_default_to_the_public_address_outside_development():
    app = Flask(__name__)
    app.config.update(PUBLIC_BASE_URL="https://witness.example.org/", FEED_BASE_URL="https://cal.example.org")
    links.configure(app)
    assert app.config["TRUSTED_HOSTS"] == ["witness.example.org", "cal.example.org"]
    assert app.config["PUBLIC_BASE_URL"] == "https://witness.example.org"
    development = Flask(__name__)
    development.config.update(PUBLIC_BASE_URL="https://witness.example.org", DEBUG=True)
    links.configure(development)
    assert development.config["TRUSTED_HOSTS"] is None  # localhost, a LAN address … all answer


@pytest.mark.parametrize("path", ["/login", "/password/forgot", "/api/v1/witnesses", "/feeds/x.ics",
                                  "/witnesses/", "/no-such-page"])
def test_a_request_for_another_host_answers_400(app, app_config, officer, smtp_server, path):
    with _second_app({**app_config, "TRUSTED_HOSTS": ["witness.test"], "PROXY_FIX_HOPS": 1,
                      "MAIL_PORT": app.config["MAIL_PORT"]}) as guarded:
        browser = guarded.test_client()
        assert browser.get("/login").status_code == 200
        for headers in HOSTILE_HEADERS[:3]:
            assert browser.get(path, headers=headers).status_code == 400, headers
            assert browser.post(path, data={"email": officer.email}, headers=headers).status_code == 400
        assert smtp_server.messages == []
        api = browser.get("/api/v1/witnesses", headers={"Host": "evil.invalid"})
    assert api.status_code == 400 and "evil" not in api.get_data(as_text=True)


# ---- 7. one safe-redirect check ----------------------------------------------------------------------

BAD_TARGETS = [
    "/\\evil.invalid", "//evil.invalid", "\\\\evil.invalid", "\\/evil.invalid", "https:evil.invalid",
    "https://evil.invalid/", "http://witness.test/x", "HTTPS://evil.invalid", "%2F%2Fevil.invalid",
    "/%2F/evil.invalid", "/%2f%2fevil.invalid", "/%5Cevil.invalid", "/\r\nSet-Cookie: x=1", "/%0d%0aLocation:x",
    "/\t/evil.invalid", "/\n/evil.invalid", "\t//evil.invalid", " /witnesses/", "/\x00", "/\u3000/evil.invalid",
    "/\u202e/x", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "evil.invalid", "", "/" * 3,
    "/x" * 1500,
]
GOOD_TARGETS = ["/witnesses/", "/witnesses/3?sort=next_court", "/cases/1#x", "/"]


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_safe_next_refuses(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", GOOD_TARGETS)
def test_safe_next_keeps_a_path_of_this_site(target):
    assert safe_next(target) == target


def _login_with_next(client, user: User, target: str):  # noqa: ANN001, ANN202 - test client, response
    step = client.post("/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD})
    assert step.status_code == 302
    return client.post("/login/code", data={"code": totp_code(user.email)})


def _enrol_with_next(client, user: User, target: str) -> str:  # noqa: ANN001 - test client
    client.post("/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD})
    client.get("/mfa/enrol")
    return client.post("/mfa/enrol", data={"code": totp_code(user.email)}).get_data(as_text=True)


def _task_done_with_next(client, user: User, target: str):  # noqa: ANN001, ANN202
    AuthActions(client).login(user)
    task = create_task(user, "review", "Check the file")
    db.session.commit()
    return client.post(f"/tasks/{task.id}/done", data={"next": target})


@pytest.mark.parametrize("target", [t for t in BAD_TARGETS if "\x00" not in t])  # NUL: 400 before any view
def test_every_place_that_follows_next_refuses_hostile_targets(client, officer, make_user, target):
    signed_in = _login_with_next(client, officer, target)
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    AuthActions(client).logout()
    page = _enrol_with_next(client, make_user(mfa=False), target)
    assert '<a class="button" href="/">' in page
    AuthActions(client).logout()
    done = _task_done_with_next(client, officer, target)
    assert done.status_code == 302 and done.headers["Location"] == "/"
    for response in (signed_in, done):
        assert "evil" not in response.headers["Location"] and "Set-Cookie: x" not in str(response.headers)


@pytest.mark.parametrize("target", ["/witnesses/", "/cases/?x=1"])
def test_every_place_that_follows_next_keeps_a_good_target(client, officer, make_user, target):
    assert _login_with_next(client, officer, target).headers["Location"] == target
    AuthActions(client).logout()
    assert f'<a class="button" href="{target}">' in _enrol_with_next(client, make_user(mfa=False), target).replace(
        "&amp;", "&")
    AuthActions(client).logout()
    assert _task_done_with_next(client, officer, target).headers["Location"] == target


# ---- 8. seed-demo never joins real data ---------------------------------------------------------------


@pytest.mark.parametrize("existing", ["account", "witness"])
def test_seed_demo_refuses_a_database_with_data(app, make_user, make_witness, existing):
    make_witness() if existing == "witness" else make_user()
    before = (db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar(),
              db.session.execute(sa.select(sa.func.count()).select_from(Witness)).scalar())
    result = app.test_cli_runner().invoke(args=["seed-demo", "--witnesses", "3"])
    assert result.exit_code != 0 and "Refused" in result.output and "empty database" in result.output
    after = (db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar(),
             db.session.execute(sa.select(sa.func.count()).select_from(Witness)).scalar())
    assert after == before
    assert db.session.execute(sa.select(User).where(User.email.like("%@demo.invalid"))).first() is None
    marker = demo_marker_path(app.config["SQLALCHEMY_DATABASE_URI"])
    assert marker is None or not os.path.exists(marker)


# ---- 10. input classes that used to answer 500 ---------------------------------------------------------

DEEP = ["[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000, "[" * 40 + "]" * 40]


@pytest.mark.parametrize("body", DEEP)
def test_deeply_nested_json_is_a_clear_400_on_every_api_endpoint(app, client, officer, api_token, make_journey,
                                                                 body):
    journey = make_journey()
    # The officer's own witness, case and journey: their routes get as far as reading the body.
    ids = {"witness_id": journey.witness_id, "case_id": journey.case_id, "journey_id": journey.id}
    headers = {**api_token(officer), "Content-Type": "application/json"}
    rules = [r for r in app.url_map.iter_rules()
             if r.rule.startswith("/api/") and r.methods & {"POST", "PUT", "PATCH"}]
    assert len(rules) >= 8
    bad_json = 0
    for rule in rules:
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(ids.get(name, 1))).replace(f"<{name}>", "x")
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH"}):
            response = client.open(url, method=method, data=body, headers=headers)
            # A file upload takes multipart/form-data: any JSON sent there is the wrong media type.
            expected = (415, 404) if url.endswith("/documents") else (400, 404)
            assert response.status_code in expected, (method, url, response.status_code)
            assert response.is_json and response.get_json()["error"]["message"]
            bad_json += response.status_code == 400
    assert bad_json >= len(rules) // 2
    created = client.post("/api/v1/witnesses", data=body, headers=headers)
    assert created.get_json()["error"]["code"] == "malformed_json"
    assert "nested too deeply" in created.get_json()["error"]["message"]


def test_json_at_a_sensible_depth_still_parses(app):
    assert app.json.loads(json.dumps({"a": [{"b": [1, 2]}]})) == {"a": [{"b": [1, 2]}]}


AMOUNTS = ["1e308", "-1e308", "1e999999999", "inf", "-inf", "nan", "sNaN", "9" * 400, "99999999999999999999",
           "１２", "0x10", "1e-400"]


@pytest.mark.parametrize("amount", AMOUNTS)
def test_hostile_amounts_are_refused_by_the_form_and_the_api(client, auth, officer, make_witness, api_token, amount):
    from witness_support.ledger.models import BenefitEntry

    witness = make_witness()
    data = {"kind": "travel", "description": "Bus fare", "amount": amount, "currency": "USD",
            "provided_on": "2026-01-05", "provider": "NGO",
            "rationale": "To reach the counselling appointment in town.", "authorised_by_id": str(officer.id)}
    api = client.post(f"/api/v1/witnesses/{witness.id}/benefits", headers=api_token(officer),
                      json={**data, "authorised_by_id": officer.id})
    assert api.status_code == 422 and "amount" in api.get_json()["error"]["fields"], api.get_json()
    auth.login(officer)
    page = client.post(f"/witnesses/{witness.id}/benefits/new", data=data)
    assert page.status_code == 200 and 'id="amount-error"' in page.get_data(as_text=True)
    assert not db.session.execute(sa.select(sa.func.count()).select_from(BenefitEntry)).scalar()


@pytest.mark.parametrize("zero", ["-0", "-0.00", "-0e5", "+0.0"])
def test_negative_zero_is_read_as_zero(zero):
    from witness_support.ledger.operations import parse_amount

    assert str(parse_amount(zero)) == "0.00"  # PostgreSQL keeps no sign on zero: the hash must not either


ZONES = ["localtime", "Factory", "posixrules", "../../etc/passwd", "/etc/localtime", "asia/jakarta", "UTC\x00", "",
         "posix/Asia/Jakarta", "right/UTC", "+07:00", "EST5EDT,"]

@pytest.mark.parametrize("zone", ZONES)
def test_only_iana_zones_are_accepted_for_a_court(client, auth, officer, api_token, zone):
    assert not is_iana_timezone(zone)
    headers = api_token(officer)
    fields = {"reference": "CASE-TZ-1", "court_name": "Invented Court", "offence_type": "Trafficking",
              "court_timezone": zone}
    api = client.post("/api/v1/cases", headers=headers, json=fields)
    assert api.status_code in (400, 422) and api.status_code < 500
    auth.login(officer)
    page = client.post("/cases/new", data=fields)
    assert page.status_code in (200, 400)
    if page.status_code == 200:
        assert "IANA name" in page.get_data(as_text=True)
    assert not db.session.execute(sa.select(sa.func.count()).select_from(Case)).scalar()


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "UTC", "America/Argentina/Buenos_Aires", "Etc/GMT-7"])
def test_real_iana_zones_are_accepted(zone):
    assert is_iana_timezone(zone)
