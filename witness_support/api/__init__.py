"""The JSON API under /api/v1: bearer-token authentication, JSON errors, shared input parsing.

The API calls the same operations and the same permission checks as the web pages. It accepts
only personal API tokens (never the session cookie), so it needs no CSRF token.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_login import current_user

from .. import idempotency
from ..errors import NotFound, OperationError, ValidationFailed
from ..extensions import db
from ..permissions import Permission, has_permission

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_ID = 2**31 - 1  # the range of an INTEGER id column on PostgreSQL

PUBLIC_ENDPOINTS = {"api.openapi"}
# Why a known token was refused, told to whoever holds it (it proves nothing to anyone else).
TOKEN_PROBLEMS = {
    "expired": ("token_expired", "This API token has expired. Create a new one on your account page."),
    "revoked": ("token_revoked", "This API token has been revoked. Create a new one on your account page."),
}


def error_response(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    return response


@bp.before_request
def authenticate() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not (current_user.is_authenticated and g.get("auth_via_token")):
        code, message = TOKEN_PROBLEMS.get(
            g.get("api_token_problem"), ("unauthorized", "Send a valid API token: Authorization: Bearer <token>.")
        )
        response = error_response(401, code, message)
        response.headers["WWW-Authenticate"] = 'Bearer realm="witness_support"'
        return response
    return None


@bp.before_request
def answer_a_retried_post() -> Response | None:
    """Idempotency-Key on a POST (the IETF httpapi draft): the same key with the same request from
    the same caller gets the first answer again, the same status and body, and nothing is done
    twice; the same key with another request is refused with 422; a retry while the first request
    is still running gets 409. Kept for 24 hours. Registered after `authenticate`, so it only ever
    sees a known caller. Here in the blueprint, so every POST route has it, wherever it lives."""
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or key is None or not current_user.is_authenticated:
        return None
    if not idempotency.is_valid_key(key):
        return error_response(400, "invalid_idempotency_key",
                              "Idempotency-Key must be 1 to 255 visible ASCII characters.")
    fingerprint = idempotency.request_fingerprint(
        request.method, request.full_path, request.content_type or "", request.get_data(cache=True)
    )
    claim = idempotency.claim("api", current_user.id, key, fingerprint)
    if not claim.replay:
        g.idempotency_claim = claim.id
        return None
    if claim.fingerprint != fingerprint:
        return error_response(422, "idempotency_key_reused",
                              "This Idempotency-Key was used for another request; use a new key for a new request.")
    if claim.status is None:
        response = error_response(409, "idempotency_key_in_use",
                                  "A request with this Idempotency-Key is still being processed; retry shortly.")
        response.headers["Retry-After"] = "1"
        return response
    replay = Response(claim.body or "", status=claim.status, mimetype="application/json")
    if claim.location:
        replay.headers["Location"] = claim.location
    replay.headers["Idempotent-Replayed"] = "true"
    return replay


@bp.after_request
def remember_the_answer(response: Response) -> Response:
    """Keep a successful answer for the key's replays; after a failure, free the key (the work was
    rolled back, so a retry with the same key may try again)."""
    claim_id = g.pop("idempotency_claim", None)
    if claim_id is None:
        return response
    if 200 <= response.status_code < 300:
        idempotency.remember(claim_id, status=response.status_code, body=response.get_data(as_text=True),
                             location=response.headers.get("Location"))
    else:
        db.session.rollback()
        idempotency.release(claim_id)
    db.session.commit()
    return response


@bp.errorhandler(OperationError)
def operation_error(error: OperationError) -> Response:
    db.session.rollback()
    return error_response(error.status, error.code, error.message, error.field_errors or None)


def require(permission: Permission) -> None:
    """A role without the permission learns nothing: the same 404 as for a missing object.

    Call it first in every route. It records the endpoint's permission (per app, as the web's
    `permission_required` does on the view) so that the deny-by-default test knows, for every
    API route, which roles must get 404 without a list kept by hand.
    """
    if request.endpoint:
        recorded = current_app.extensions.setdefault("api_permissions", {})
        recorded.setdefault((request.endpoint, request.method), permission)
    if not has_permission(current_user, permission):
        raise NotFound()


def json_body() -> dict[str, Any]:
    if not request.is_json:
        raise ValidationFailed({}, "Send a JSON object with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if data is None:
        raise _BadJson()
    if not isinstance(data, dict):
        raise ValidationFailed({}, "The request body must be a JSON object.")
    return data


class _BadJson(OperationError):
    status = 400
    code = "malformed_json"

    def __init__(self) -> None:
        super().__init__("The request body is not valid JSON (or is nested too deeply).")


class Field:
    """One accepted JSON field: its type, whether it may be null, and its maximum length."""

    def __init__(
        self, kind: type | tuple, *, required: bool = False, nullable: bool = True, max_length: int = 200,
        choices: frozenset[str] | set[str] | None = None,
    ) -> None:
        self.kind, self.required, self.nullable = kind, required, nullable
        self.max_length, self.choices = max_length, choices

    def parse(self, name: str, value: Any) -> Any:  # noqa: C901 - one branch per JSON type
        if value is None:
            if self.nullable and not self.required:
                return None
            raise _FieldError(name, "This field cannot be null.")
        if self.kind is date:
            if not isinstance(value, str):
                raise _FieldError(name, "Give a date as YYYY-MM-DD.")
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise _FieldError(name, "Give a real date as YYYY-MM-DD.") from None
        if self.kind is list:
            if not isinstance(value, list) or len(value) > 100:
                raise _FieldError(name, "Give a list of at most 100 items.")
            return value
        if self.kind is bool:
            if not isinstance(value, bool):
                raise _FieldError(name, "Give true or false.")
            return value
        if self.kind is int:
            # Beyond an id column's range no row can match, and the database would fail, not refuse.
            if not isinstance(value, int) or isinstance(value, bool) or not -MAX_ID - 1 <= value <= MAX_ID:
                raise _FieldError(name, "Give a whole number.")
            return value
        if not isinstance(value, str):
            raise _FieldError(name, "Give text.")
        if "\x00" in value:  # PostgreSQL cannot store it; nothing legitimate contains it
            raise _FieldError(name, "Text cannot contain NUL characters.")
        if len(value) > self.max_length:
            raise _FieldError(name, f"At most {self.max_length} characters.")
        if self.choices is not None and value not in self.choices:
            raise _FieldError(name, "Choose one of: " + ", ".join(sorted(self.choices)) + ".")
        return value


class _FieldError(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name, self.message = name, message


def parse(data: dict[str, Any], fields: dict[str, Field], *, partial: bool = False) -> dict[str, Any]:
    """Check a JSON object against the accepted fields; every problem reported at once, by field."""
    errors: dict[str, str] = {}
    for name in data:
        if name not in fields:
            errors[name] = "Unknown field."
    result: dict[str, Any] = {}
    for name, spec in fields.items():
        if name not in data:
            if spec.required and not partial:
                errors[name] = "This field is required."
            continue
        try:
            result[name] = spec.parse(name, data[name])
        except _FieldError as exc:
            errors[exc.name] = exc.message
    if errors:
        raise ValidationFailed(errors)
    return result


def query_int(name: str, default: int | None = None) -> int | None:
    """A whole-number query parameter within an id column's range, else a 422 naming it."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed({name: "Give a whole number."}) from None
    if not -MAX_ID - 1 <= value <= MAX_ID:
        raise ValidationFailed({name: "Give a whole number."})
    return value


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


from . import cases, court, ledger, notifications, openapi, outcomes, witnesses  # noqa: E402,F401  - routes register on bp
