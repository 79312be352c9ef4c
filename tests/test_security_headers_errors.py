"""Security headers on every response, error pages that repeat nothing of the request, clean logs."""

from __future__ import annotations

import logging

import pytest
from flask import Blueprint, abort

from tests.helpers import PASSWORD, base_config
from witness_support import create_app
from witness_support.extensions import db
from witness_support.logging_setup import ScrubbingFilter, scrub

CANARY = "Ottoline Canarybright"
CANARY_SLUG = "Ottoline-Canarybright"


def assert_security_headers(response, where: str) -> None:  # noqa: ANN001
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'"):
        assert directive in csp, (where, directive)
    assert "unsafe-inline" not in csp, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "no-referrer", where


def test_headers_on_pages_errors_json_static_and_health(client, auth, officer, make_witness):
    witness = make_witness(legal_name=CANARY)
    anonymous = {
        "/login": 200, "/healthz": 200, "/static/css/app.css": 200, "/api/v1/openapi.json": 200,
        "/no-such-page": 404, "/api/v1/witnesses": 401,
    }
    for path, status in anonymous.items():
        response = client.get(path)
        assert response.status_code == status, path
        assert_security_headers(response, path)
        response.close()
    assert client.post("/healthz").status_code == 405
    assert_security_headers(client.post("/healthz"), "405")
    auth.login(officer)
    page = client.get(f"/witnesses/{witness.id}")
    assert_security_headers(page, "witness page")
    assert page.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in page.headers  # plain HTTP: HSTS would be ignored anyway


def test_witness_data_is_never_cached(client, officer, make_witness, api_token):
    witness = make_witness(legal_name=CANARY)
    for path in (f"/api/v1/witnesses/{witness.id}", "/api/v1/witnesses"):
        response = client.get(path, headers=api_token(officer))
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store", path
        assert_security_headers(response, path)
    assert client.get("/no-such-page").headers["Cache-Control"] == "no-store"


def test_hsts_over_https_directly(client):
    response = client.get("/login", base_url="https://witness.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_hsts_behind_a_trusted_proxy_only(app_config):
    # CSRF on: the sign-in page then puts its token in the session, so a cookie is set.
    config = dict(app_config, WTF_CSRF_ENABLED=True)
    trusted = create_app(dict(config, PROXY_FIX_HOPS=1))
    forwarded = {"X-Forwarded-Proto": "https"}
    response = trusted.test_client().get("/login", headers=forwarded)
    assert "Strict-Transport-Security" in response.headers
    assert "; Secure" in response.headers["Set-Cookie"]
    untrusted = create_app(config)  # PROXY_FIX_HOPS=0: a client cannot claim HTTPS
    plain = untrusted.test_client().get("/login", headers=forwarded)
    assert "Strict-Transport-Security" not in plain.headers
    assert "; Secure" not in plain.headers["Set-Cookie"]
    for application in (trusted, untrusted):
        with application.app_context():
            db.engine.dispose()


def test_debug_is_off_unless_asked_for(app_config, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    plain = create_app(dict(app_config, TESTING=False))
    assert plain.debug is False
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert create_app(dict(app_config, TESTING=False)).debug is True
    with plain.app_context():
        db.engine.dispose()


@pytest.fixture
def failing_app(app):  # noqa: ANN001
    """A test-only blueprint: a view holding a canary name that raises, and one for each error."""
    bp = Blueprint("failing", __name__)

    @bp.route("/test-only/boom")
    def boom() -> str:
        legal_name = CANARY  # a local, as real views hold witness data in locals
        raise RuntimeError(f"could not process {legal_name}")

    @bp.route("/test-only/abort/<int:status>", methods=["GET", "POST"])
    def aborting(status: int) -> str:
        abort(status, description=f"refused for {CANARY}")

    app.register_blueprint(bp)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    return app


@pytest.mark.own_app
def test_a_crash_shows_and_logs_nothing_of_the_witness(failing_app, client, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.get(f"/test-only/boom?name={CANARY_SLUG}")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body
    assert "Canarybright" not in body and "Traceback" not in body
    assert "Canarybright" not in caplog.text
    assert "RuntimeError" in caplog.text  # the failure is logged, by type, for the operator
    assert_security_headers(response, "500")


@pytest.mark.own_app
@pytest.mark.parametrize("status", [400, 403, 404, 405, 413, 429, 500])
def test_error_pages_repeat_nothing_of_the_request(failing_app, client, caplog, status):
    caplog.set_level(logging.DEBUG)
    url = f"/test-only/abort/{status}?name={CANARY_SLUG}"
    response = client.post(url, data={"legal_name": CANARY}, headers={"X-Witness": CANARY_SLUG})
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert "Canarybright" not in body and CANARY_SLUG not in body
    assert "Canarybright" not in caplog.text
    assert_security_headers(response, str(status))
    api = client.get(f"/api/v1/{CANARY_SLUG}")
    assert api.status_code == 404 and "Canarybright" not in api.get_data(as_text=True)
    assert api.get_json()["error"]["code"] == "not_found"


@pytest.mark.own_app
def test_real_405_and_413_say_nothing_of_the_request(failing_app, client):
    not_allowed = client.delete(f"/login?name={CANARY_SLUG}")
    assert not_allowed.status_code == 405 and "Canarybright" not in not_allowed.get_data(as_text=True)
    too_large = client.post("/login", data={"email": CANARY + "x" * 4096, "password": PASSWORD})
    assert too_large.status_code == 413 and "Canarybright" not in too_large.get_data(as_text=True)


def test_real_429_says_nothing_of_the_request(app_config):
    limited = create_app(dict(app_config, RATELIMIT_ENABLED=True))
    with limited.app_context():
        if not app_config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            db.create_all()
        statuses = []
        for _ in range(12):
            response = limited.test_client().post("/login", data={"email": f"{CANARY_SLUG}@example.test",
                                                                   "password": PASSWORD})
            statuses.append(response.status_code)
        assert statuses[-1] == 429
        assert "Canarybright" not in response.get_data(as_text=True)
        assert_security_headers(response, "429")
        db.engine.dispose()


# ---- logs ------------------------------------------------------------------------------------------


def test_access_log_lines_lose_their_tokens_and_line_breaks(app, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    werkzeug = logging.getLogger("werkzeug")
    secrets = {
        "feed": "/feeds/abcdefghijklmnopqrstuvwxyz012345.ics",
        "reset": "/password/reset/Zx9_Zx9_Zx9_Zx9_Zx9_Zx9_",
        "invite": "/invite/Qw3-Qw3-Qw3-Qw3-Qw3-Qw3-",
        "search": f"/api/v1/witnesses?name={CANARY_SLUG}&limit=5",
    }
    for path in secrets.values():
        # The exact shape of werkzeug's request line: the path arrives as a %-argument.
        werkzeug.info('%s - - [%s] "%s" %s -', "127.0.0.1", "29/Nov/2026 04:00:00", f"GET {path} HTTP/1.1", 200)
    werkzeug.info("%s", "GET /x HTTP/1.1\r\n127.0.0.1 - - forged line")
    text = caplog.text
    for secret in ("abcdefghijklmnopqrstuvwxyz012345", "Zx9_Zx9_Zx9_Zx9", "Qw3-Qw3-Qw3-Qw3", "Canarybright"):
        assert secret not in text
    assert "&limit=5" in text  # the rest of the line stays readable
    assert "\\r\\n127.0.0.1 - - forged line" in text
    assert len([r for r in caplog.records if r.name == "werkzeug"]) == 5
    assert all("\n" not in r.getMessage() and "\r" not in r.getMessage() for r in caplog.records)


def test_scrub_masks_credentials_anywhere():
    line = scrub("Authorization: Bearer wst_abc.def-123 code=123456&password=hunter2hunter2\nnext")
    assert "wst_abc" not in line and "123456" not in line and "hunter2" not in line
    assert line.endswith("\\nnext")


def test_app_logger_and_werkzeug_have_the_filter(app):
    for name in ("werkzeug", app.logger.name):
        assert any(isinstance(f, ScrubbingFilter) for f in logging.getLogger(name).filters)


def test_a_whole_session_logs_no_identity_password_token_or_code(client, auth, officer, api_token, caplog):
    from tests.helpers import totp_code

    caplog.set_level(logging.DEBUG)
    headers = api_token(officer)
    token = headers["Authorization"].split()[1]
    created = client.post("/api/v1/witnesses", headers=headers, json={
        "legal_name": CANARY, "preferred_language": "en", "address": "1 Canarybright Lane",
    })
    assert created.status_code == 201
    witness_id = created.get_json()["id"]
    client.get(f"/api/v1/witnesses?name={CANARY_SLUG}", headers=headers)
    code = totp_code(officer.email)
    client.post("/login", data={"email": officer.email, "password": PASSWORD})
    client.post("/login/code", data={"code": code})
    client.get(f"/witnesses/{witness_id}")
    client.post("/witnesses/search", data={"name": CANARY})
    client.post("/login", data={"email": "nobody@example.test", "password": "wrong " + PASSWORD})
    text = caplog.text
    assert "Canarybright" not in text and PASSWORD not in text and token not in text
    assert code not in text


def test_config_never_logs_keys(app_config, caplog):
    caplog.set_level(logging.DEBUG)
    create_app(dict(base_config(app_config["SQLALCHEMY_DATABASE_URI"])))
    assert app_config["IDENTITY_KEYS"] not in caplog.text
