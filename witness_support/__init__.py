"""witness_support: carries victims of crime safely through a prosecution as witnesses."""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
from typing import Any

from flask import Flask, Response, abort, g, has_request_context, jsonify, render_template, request
from flask.globals import request_ctx
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

from . import config as config_module
from . import extensions, links
from .db import MAX_ID, commit_read_only_requests, postgresql_without_jit, tune_sqlite

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else a random key kept in the instance folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    with open(path) as handle:
        return handle.read().strip()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        # Keys, the default SQLite file and the SMS outbox live here; `instance/` beside the
        # package unless INSTANCE_PATH names another folder (the test suite points it at a
        # temporary one so that a run leaves the work tree unchanged).
        instance_path=os.path.abspath(os.environ["INSTANCE_PATH"]) if os.environ.get("INSTANCE_PATH") else None,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(config_module.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    _refuse_unsafe_demo_mode(app)
    links.configure(app)  # PUBLIC_BASE_URL checked; TRUSTED_HOSTS (Flask answers 400 to other hosts)
    app.session_interface = _SessionInterface()
    app.json = _BoundedJSONProvider(app)
    _trust_proxy(app)
    _refuse_ids_out_of_range(app)

    from .logging_setup import configure_logging

    configure_logging(app)

    # Bound through the module: a package attribute named `db` would hide the db.py module,
    # which migrations import as witness_support.db.
    postgresql_without_jit(app.config)
    extensions.db.init_app(app)
    with app.app_context():
        tune_sqlite(extensions.db.engine, app.config["SQLITE_CACHE_MB"])
        commit_read_only_requests(app, extensions.db)
    extensions.migrate.init_app(
        app, extensions.db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True
    )
    extensions.login_manager.init_app(app)
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)

    _import_models()
    _connect_signals()
    _register_blueprints(app)
    _register_error_handlers(app)
    _register_security_headers(app)
    _register_template_helpers(app)

    from .cli import register_cli

    register_cli(app)
    _create_sqlite_schema_on_first_run(app)
    return app


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS, even without the setting."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)


MAX_JSON_DEPTH = 32  # no document of the API nests deeper than a few levels


class _BoundedJSONProvider(DefaultJSONProvider):
    """JSON nested thousands deep is refused as malformed (a 400), never a RecursionError (a 500).

    Request.get_json turns a ValueError from here into its "not valid JSON" answer; anything
    deeper than MAX_JSON_DEPTH is refused too, so no later step recurses through it either.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        stack = [(value, 1)]
        while stack:  # iterative, so the check itself cannot recurse
            item, depth = stack.pop()
            if isinstance(item, dict | list):
                if depth > MAX_JSON_DEPTH:
                    raise ValueError("JSON nested too deeply")
                stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
        return value


def _refuse_ids_out_of_range(app: Flask) -> None:
    """An `<int:...>` beyond what an id column holds is simply not found, in every route.

    Without this, /witnesses/99999999999999999999 reaches the database and fails there (SQLite
    cannot bind it, PostgreSQL's integer overflows): a 500 instead of a 404. (A bound on the URL
    converter would instead make werkzeug answer 405 when another method's rule shares the path.)
    """

    @app.url_value_preprocessor
    def refuse(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values and any(isinstance(v, int) and v > MAX_ID for v in values.values()):
            abort(404)

    @app.before_request
    def refuse_nul() -> None:
        """A NUL character in a query or form is never legitimate and PostgreSQL cannot store it."""
        fields = [*request.args.values()]
        if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"
        ):
            fields += request.form.values()
        if any("\x00" in value for value in fields):
            abort(400)


def _trust_proxy(app: Flask) -> None:
    """Behind a TLS-terminating proxy, believe its X-Forwarded-* headers (and only then).

    The request then knows it came over HTTPS: cookies get Secure and responses get HSTS. Without
    the setting the headers are ignored, so a client cannot claim HTTPS (or another address).
    """
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]


DEMO_MARKER_SUFFIX = ".demo"


def demo_marker_path(database_uri: str) -> str | None:
    """The marker `seed-demo` writes beside a SQLite database file to say it holds only demo data."""
    if not database_uri.startswith("sqlite:///") or database_uri == "sqlite:///:memory:":
        return None
    return database_uri[len("sqlite:///") :] + DEMO_MARKER_SUFFIX


def _refuse_unsafe_demo_mode(app: Flask) -> None:
    """Demo mode lets accounts skip MFA: only ever on a SQLite file that seed-demo marked."""
    if not app.config.get("DEMO_MODE"):
        return
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql"):
        raise RuntimeError("DEMO_MODE is refused with PostgreSQL: demo mode is for a local demo only.")
    marker = demo_marker_path(uri)
    if marker is None or not os.path.exists(marker):
        raise RuntimeError(
            "DEMO_MODE is refused: this database is not a demo instance (run `flask seed-demo` on a new "
            "SQLite database first)."
        )


def _import_models() -> None:
    """Every model module, so that metadata (and Alembic) sees every table."""
    from . import audit, idempotency  # noqa: F401
    from .aids import models as _aids  # noqa: F401
    from .auth import models as _auth  # noqa: F401
    from .availability import models as _availability  # noqa: F401
    from .breakglass import models as _breakglass  # noqa: F401
    from .cases import models as _cases  # noqa: F401
    from .contacts import models as _contacts  # noqa: F401
    from .court import models as _court  # noqa: F401
    from .custody import models as _custody  # noqa: F401
    from .documents import models as _documents  # noqa: F401
    from .feeds import models as _feeds  # noqa: F401
    from .ledger import models as _ledger  # noqa: F401
    from .notifications import models as _notifications  # noqa: F401
    from .outcomes import models as _outcomes  # noqa: F401
    from .protection import models as _protection  # noqa: F401
    from .remedies import models as _remedies  # noqa: F401
    from .services import models as _services  # noqa: F401
    from .tasks import models as _tasks  # noqa: F401
    from .witnesses import models as _witnesses  # noqa: F401



def _connect_signals() -> None:
    """Receivers that let one area react to another without importing it (idempotent)."""
    from .aids import hooks as aid_hooks
    from .court import hooks as court_hooks
    from .feeds import clock as feed_clock
    from .main import hooks as main_hooks
    from .notifications import court_hooks as notification_hooks
    from .notifications import custody_hooks, services_hooks
    from .outcomes import hooks as outcome_hooks
    from .remedies import hooks as remedies_hooks
    from .remedies import reminders as remedies_reminders
    from .services import hooks as services_close_hooks

    aid_hooks.connect()  # the child set of aids proposed for a child in a case
    court_hooks.connect()  # next court dates refreshed; a case's first trial day for the child set
    main_hooks.connect()  # the witness page's timeline
    notification_hooks.connect()  # notices of hearings and outcomes
    custody_hooks.connect()  # custody changes tell the case's witnesses and task their officers
    outcome_hooks.connect()  # impact statements follow the sentencing date
    feed_clock.connect()  # moves the feed clock with every change a calendar feed may show
    remedies_reminders.connect()  # each sweep raises the remedies' reminders as tasks
    remedies_hooks.connect()  # a compensation order recorded with an outcome opens a claim
    services_hooks.connect()  # each sweep raises the services' follow-up tasks
    services_close_hooks.connect()  # a journey closes only after its sustainable-protection review


def _register_blueprints(app: Flask) -> None:
    from .admin.views import bp as admin_bp
    from .aids.views import bp as aids_bp
    from .api import bp as api_bp
    from .auth.views import bp as auth_bp
    from .breakglass.views import bp as breakglass_bp
    from .cases.views import bp as cases_bp
    from .contacts.views import bp as contacts_bp
    from .court.views import bp as court_bp
    from .custody.views import bp as custody_bp
    from .documents.views import bp as documents_bp
    from .feeds.views import bp as feeds_bp
    from .ledger.views import bp as ledger_bp
    from .main.views import bp as main_bp
    from .notifications.views import bp as notifications_bp
    from .outcomes.views import bp as outcomes_bp
    from .protection.views import bp as protection_bp
    from .remedies.views import bp as remedies_bp
    from .services.views import bp as services_bp
    from .supervision.views import bp as supervision_bp
    from .tasks.views import bp as tasks_bp
    from .witnesses.views import bp as witnesses_bp

    for blueprint in (
        main_bp, auth_bp, witnesses_bp, cases_bp, admin_bp, tasks_bp, notifications_bp, outcomes_bp, ledger_bp,
        court_bp, aids_bp, feeds_bp, custody_bp, services_bp, breakglass_bp, protection_bp, remedies_bp, contacts_bp,
        supervision_bp, documents_bp,
    ):
        app.register_blueprint(blueprint)
    # Each domain's API routes register on the shared blueprint when its module is imported.
    from .aids import api as _aids_api  # noqa: F401
    from .auth import api as _auth_api  # noqa: F401
    from .cases import api as _cases_api  # noqa: F401
    from .contacts import api as _contacts_api  # noqa: F401
    from .court import api as _court_api  # noqa: F401
    from .custody import api as _custody_api  # noqa: F401
    from .documents import api as _documents_api  # noqa: F401
    from .ledger import api as _ledger_api  # noqa: F401
    from .notifications import api as _notifications_api  # noqa: F401
    from .outcomes import api as _outcomes_api  # noqa: F401
    from .protection import api as _protection_api  # noqa: F401
    from .remedies import api as _remedies_api  # noqa: F401
    from .services import api as _services_api  # noqa: F401
    from .tasks import api as _tasks_api  # noqa: F401
    from .witnesses import api as _witnesses_api  # noqa: F401

    app.register_blueprint(api_bp)
    extensions.csrf.exempt(api_bp)  # bearer tokens are not ambient credentials; see api/__init__.py


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _register_error_handlers(app: Flask) -> None:
    messages = {
        400: "The request could not be understood.",
        401: "Sign in to continue.",
        403: "You are not allowed to do that.",
        404: "There is nothing here.",
        405: "That method is not allowed here.",
        409: "That conflicts with the current state.",
        413: "What you sent is too large.",
        422: "Some fields need attention.",
        429: "Too many requests; wait a moment and try again.",
        500: "Something went wrong on our side. Nothing you sent has been kept in this message.",
    }

    def render_error(status: int, code: str | None = None, message: str | None = None) -> Response:
        if status == 413:  # an upload route names its own limit (documents/views.py)
            message = message or g.get("too_large_message")
        message = message or messages.get(status, "Error.")
        if request_ctx.url_adapter is None:
            # The request never reached routing (a Host outside TRUSTED_HOSTS): the page's links
            # cannot be built, so the answer is plain text rather than a 500 from the template.
            return Response(message, status=status, mimetype="text/plain")
        if _wants_json():
            response = jsonify({"error": {"code": code or str(status), "message": message}})
            response.status_code = status
            return response
        return Response(
            render_template("error.html", status=status, message=message), status=status
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        codes = {400: "bad_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
                 413: "too_large", 429: "rate_limited"}
        status = error.code or 500
        response = render_error(status, codes.get(status))
        if status == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        extensions.db.session.rollback()
        # The exception type only: messages and locals may hold witness data.
        app.logger.error("unhandled %s in %s", type(error).__name__, request.endpoint)
        return render_error(500, "server_error")


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if getattr(g, "sensitive", False) or not request.path.startswith("/static/"):
            headers["Cache-Control"] = headers.get("Cache-Control") or "no-store"
        return response


def _register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from .custody import queries as custody_queries
    from .documents import operations as document_operations
    from .documents import queries as document_queries
    from .protection import queries as protection_queries
    from .protection.models import MeasureKind
    from .services import queries as services_queries
    from .templating import register

    register(app)
    # Custody in words on the case and witness pages, and the at-large flag next to the risk flag.
    app.jinja_env.globals.update(
        custody_entries=lambda case_id: [("", c) for c in custody_queries.case_custody(case_id)],
        condition_words=custody_queries.condition_words,
        # Only the conditions the reader may see: a place needs the location group of the witness.
        visible_conditions=lambda conditions: custody_queries.visible_conditions(current_user, conditions),
        offender_at_large=custody_queries.offender_at_large,
        note_at_large=custody_queries.note_at_large,
        # Plan measures the reader may see (relocation and safe accommodation need the location group).
        visible_measures=lambda witness, measures: protection_queries.visible_measures(current_user, witness, measures),
        measure_words=lambda kind: MeasureKind.words_of(kind, kind.replace("_", " ")),
        protection_plan=protection_queries.plan_for,
        # The close forms say whether the journey's sustainable-protection review is recorded.
        sustainability_review=services_queries.journey_review,
        # The Documents sections of the witness, aids, case and outcomes pages: only what the reader may see.
        witness_document_rows=lambda witness: document_queries.witness_rows(current_user, witness),
        case_document_rows=lambda case: document_queries.case_rows(current_user, case),
        document_size=document_operations.size_words,
    )


def _create_sqlite_schema_on_first_run(app: Flask) -> None:
    """A new embedded SQLite database is brought to the latest migration on first start.

    "New" means the file is missing or was never migrated (a first start that failed half-way).
    """
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if app.config.get("TESTING") or not uri.startswith("sqlite:///"):
        return
    if not os.path.isdir(os.path.join(MIGRATIONS_DIR, "versions")):
        return
    path = uri[len("sqlite:///") :]
    if os.path.exists(path):
        with sqlite3.connect(path) as connection:
            migrated = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()[0]
        if migrated:
            return
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
    logging.getLogger(__name__).info("created the database at the latest migration")
