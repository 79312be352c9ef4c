"""The JSON API under /api/v1: what every resource shares.

The blueprint, bearer-token authentication, the JSON error format, reading a request body through
a resource's schema, and answering with one. The routes themselves live in each domain's `api.py`
(registered by `create_app`), their schemas in the domain's `schemas.py`, and `openapi.py` here
assembles the document from those schemas.

The API calls the same operations and the same permission checks as the web pages. It accepts
only personal API tokens (never the session cookie), so it needs no CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, ValidationError

from .. import idempotency
from ..errors import NotFound, OperationError, ValidationFailed
from ..extensions import db
from ..permissions import Permission, has_permission
from .schemas import MAX_ID

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PUBLIC_ENDPOINTS = {"api.openapi"}
# Why a known token was refused, told to whoever holds it (it proves nothing to anyone else).
TOKEN_PROBLEMS = {
    "expired": ("token_expired", "This API token has expired. Create a new one on your account page."),
    "revoked": ("token_revoked", "This API token has been revoked. Create a new one on your account page."),
}

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# Every list answers one page at a time: `limit` items (1 to PAGE_MAX, PAGE_LIMIT by default)
# after the item whose id is `after`, with `next_after` to pass for the next page (null on the last).
PAGE_LIMIT = 50
PAGE_MAX = 200


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


class _NotJson(OperationError):
    status = 415
    code = "unsupported_media_type"

    def __init__(self) -> None:
        super().__init__("Send a JSON object with Content-Type: application/json.")


class NotMultipart(OperationError):
    """A file upload sent as anything but multipart/form-data."""

    status = 415
    code = "unsupported_media_type"

    def __init__(self) -> None:
        super().__init__("Send the file as multipart/form-data, in a part named file.")


class _BadJson(OperationError):
    status = 400
    code = "malformed_json"

    def __init__(self) -> None:
        super().__init__("The request body is not valid JSON (or is nested too deeply).")


_MESSAGES = {"missing": "This field is required.", "extra_forbidden": "Unknown field."}


def _field_name(loc: tuple[int | str, ...]) -> str:
    """`name`, `defendants[0].name`; an item of a list of plain values is named by its list."""
    while loc and isinstance(loc[-1], int):
        loc = loc[:-1]
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def field_errors(error: ValidationError) -> dict[str, str]:
    """A schema's refusal in the API's error format: one message per field, the first one found."""
    fields: dict[str, str] = {}
    for problem in error.errors(include_url=False, include_input=False):
        name = _field_name(problem["loc"]) or "body"
        message = _MESSAGES.get(problem["type"], problem["msg"].removeprefix("Value error, "))
        fields.setdefault(name, message if message.endswith(".") else message + ".")
    return fields


def body(schema: type[M]) -> M:
    """The request's JSON object read through `schema`: 415 without a JSON content type, 400 if it
    is not JSON, 422 naming each field."""
    if not request.is_json:
        raise _NotJson()
    data = request.get_json(silent=True)
    if data is None:
        raise _BadJson()
    if not isinstance(data, dict):
        raise ValidationFailed({}, "The request body must be a JSON object.")
    try:
        # From the raw text, so that JSON's own types are checked strictly (a date is a string,
        # true is not 1) while dates and enums are still read from their JSON spelling.
        return schema.model_validate_json(request.get_data())
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None


def reply(value: BaseModel, status: int = 200) -> Response:
    """Answer with a resource in its schema's JSON shape."""
    response = current_app.response_class(
        value.model_dump_json(by_alias=True), status=status, mimetype="application/json"
    )
    return response


def reply_json(data: dict[str, Any], status: int = 200) -> Response:
    """Answer with a schema's JSON shape from which fields the caller may not see were removed
    (access.filter_fields): the schema documents which field group each field needs."""
    response = jsonify(data)
    response.status_code = status
    return response


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


def page_args() -> tuple[int | None, int]:
    """The `after` and `limit` query parameters of a list, else a 422 naming the one refused."""
    after = query_int("after")
    limit = query_int("limit", PAGE_LIMIT)
    if limit is None or not 1 <= limit <= PAGE_MAX:
        raise ValidationFailed({"limit": f"Give a limit between 1 and {PAGE_MAX}."})
    return after, limit


def paged(items: Sequence[T], key: Callable[[T], int] = lambda item: item.id) -> tuple[list[T], int | None]:
    """One page of a list already read in its order (a list of one witness or one case): the items
    after the one whose id is `after`, and the `next_after` of the next page. An `after` that is
    not in the list (gone since) gives an empty last page."""
    after, limit = page_args()
    start = 0
    if after is not None:
        start = next((i + 1 for i, item in enumerate(items) if key(item) == after), len(items))
    rest = list(items[start:start + limit + 1])
    return rest[:limit], (key(rest[limit - 1]) if len(rest) > limit else None)


def keyset(query: sa.Select, id_column: sa.ColumnElement[int],
           order: Sequence[tuple[sa.ColumnElement[Any], bool]]) -> tuple[list[Any], int | None]:
    """One page of `query` read by the database (no OFFSET): the rows after the row whose id is
    `after` in the order `order`, pairs of (column, descending), whose last column is the id.
    Returns the rows (scalars) and the `next_after` of the next page."""
    after, limit = page_args()
    if after is not None:
        anchor = [sa.select(column).where(id_column == after).scalar_subquery() for column, _ in order]
        later = []
        for i, (column, descending) in enumerate(order):
            ties = [order[j][0] == anchor[j] for j in range(i)]
            later.append(sa.and_(*ties, column < anchor[i] if descending else column > anchor[i]))
        query = query.where(sa.or_(*later))
    query = query.order_by(*(column.desc() if descending else column for column, descending in order))
    rows = list(db.session.execute(query.limit(limit + 1)).scalars())
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)


def page_json(items: list[dict[str, Any]], next_after: int | None, **more: Any) -> Response:
    """The answer of a list: `{"items": [...], "next_after": ...}` (and `more` keys beside)."""
    return reply_json({"items": items, "next_after": next_after, **more})
