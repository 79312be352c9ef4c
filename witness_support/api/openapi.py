"""The OpenAPI 3.1 document of /api/v1, assembled from each domain's schemas and served at
/api/v1/openapi.json (tests check real responses against it).

Each domain's `api.py` describes its paths with `add_paths(...)`, naming its Pydantic models for
bodies and answers; the components are those models' JSON Schemas, generated together so that a
model used by two resources (an enum, a nested object) appears once under one name.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Response, jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from . import bp
from .schemas import MAX_ID

# Ids are INTEGER columns; beyond this range a path answers 404 and a body field 422.
ID = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
REF_TEMPLATE = "#/components/schemas/{model}"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": "One message per refused field, by its name",
                    "additionalProperties": {"type": "string"},
                },
            },
        }
    },
}

_ERROR_REF = {"$ref": REF_TEMPLATE.format(model="Error")}
_PATHS: dict[str, dict[str, Any]] = {}


class Op:
    """One operation of a path: its summary, its answers by status, and the schema of its body.

    The errors it can give are worked out from its method, body and parameters (`errors_of`);
    `errors` names them instead, for an operation that answers fewer ("401", "404").
    """

    def __init__(
        self, summary: str, responses: dict[str, Any], body: type[BaseModel] | None = None, *,
        errors: tuple[str, ...] | None = None, **extra: Any,
    ) -> None:
        self.summary, self.responses, self.body, self.extra = summary, responses, body, extra
        self.errors = errors


def add_paths(paths: dict[str, dict[str, Any]]) -> None:
    """Describe paths: `{"/x/{x_id}": {"parameters": [id_param("x_id")], "get": Op(...)}}`.

    A response is a Pydantic model (JSON), a `(model, description)` pair, or an OpenAPI
    response object written out, whose media types may name a model (`{"text/csv": ...,
    "application/json": Model}`).
    """
    _PATHS.update(paths)
    _document.cache_clear()


def id_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def error(description: str) -> dict[str, Any]:
    """A response answered in the error format."""
    return {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}}


# Every error the API answers with; each operation lists those it can give (`errors_of`).
ERRORS = {
    "400": error("Malformed JSON"),
    "401": error("No valid API token"),
    "404": error("Not found, or not yours to see"),
    "409": error("Conflicts with the current state"),
    "415": error("The body is not sent as Content-Type: application/json"),
    "422": error("A field or a rule refused the request; `fields` names each refused field"),
}
_NOT_MULTIPART_415 = error("The body is not sent as Content-Type: multipart/form-data")
_IDEMPOTENCY_400 = error("An Idempotency-Key that is not 1 to 255 visible ASCII characters")
# Every request is refused before routing when its query holds a NUL character (create_app).
_NUL_400 = error("A query parameter holds a NUL character")
_BODY_AND_KEY_400 = error("Malformed JSON, or an Idempotency-Key that is not 1 to 255 visible ASCII characters")

# The paging parameters of every list (api.page_args); the answer is `api.schemas.page_of(...)`.
PAGE_PARAMETERS = [
    {"name": "after", "in": "query", "description": "The id of the last item of the previous page (its `next_after`)",
     "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}},
    {"name": "limit", "in": "query", "description": "How many items a page holds at most (50 unless given)",
     "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
]


def errors_of(method: str, operation: Op) -> dict[str, Any]:
    """The errors `operation` can answer: every operation may meet a missing token (401) and an
    object it may not see (404); only an operation with a body can meet malformed JSON (400) or a
    wrong content type (415); a POST may also meet an Idempotency-Key that is invalid (400), reused
    for another request (422) or still being processed (409); a change may conflict with the
    current state (409) or be refused by a rule (422); a read only refuses its query parameters
    (422, or 400 for a NUL character in one)."""
    if operation.errors is not None:
        return {code: ERRORS[code] for code in sorted(operation.errors)}
    codes = {"401": ERRORS["401"], "404": ERRORS["404"]}
    changes = method.lower() in ("post", "put", "patch", "delete")
    if operation.body is not None:
        codes["400"] = _BODY_AND_KEY_400 if method.lower() == "post" else ERRORS["400"]
        codes["415"] = ERRORS["415"]
    elif method.lower() == "post":
        codes["400"] = _IDEMPOTENCY_400
    if operation.body is None and operation.extra.get("requestBody"):  # a file upload (multipart)
        codes["415"] = _NOT_MULTIPART_415
    elif operation.extra.get("parameters"):
        codes["400"] = _NUL_400
    if changes:
        codes["409"] = ERRORS["409"]
    if changes or operation.body is not None or operation.extra.get("parameters"):
        codes["422"] = ERRORS["422"]
    return dict(sorted(codes.items()))


def _models() -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    for item in _PATHS.values():
        for operation in item.values():
            if not isinstance(operation, Op):
                continue
            if operation.body is not None and operation.body not in found:
                found.append(operation.body)
            for answer in operation.responses.values():
                if isinstance(answer, dict):
                    candidates = list(answer.get("content", {}).values())
                else:
                    candidates = [answer[0] if isinstance(answer, tuple) else answer]
                for model in candidates:
                    if _is_model(model) and model not in found:
                        found.append(model)
    return found


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _operation(method: str, operation: Op, refs: dict[type[BaseModel], dict[str, Any]]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, answer in operation.responses.items():
        if isinstance(answer, dict):
            content = {
                media: {"schema": refs[schema]} if _is_model(schema) else schema
                for media, schema in answer.get("content", {}).items()
            }
            responses[status] = {**answer, "content": content} if content else answer
            continue
        model, description = answer if isinstance(answer, tuple) else (answer, "Created" if status == "201" else "OK")
        responses[status] = {"description": description, "content": {"application/json": {"schema": refs[model]}}}
    # An error the operation describes itself keeps its own description.
    answers = {**responses, **{k: v for k, v in errors_of(method, operation).items() if k not in responses}}
    built: dict[str, Any] = {"summary": operation.summary, "responses": answers, **operation.extra}
    if operation.body is not None:
        built["requestBody"] = {"required": True, "content": {"application/json": {"schema": refs[operation.body]}}}
    return built


@cache
def _document() -> dict[str, Any]:
    models = _models()
    # Bodies are read (validation mode), answers written (serialization mode); a model is one or the other.
    bodies = {op.body for item in _PATHS.values() for op in item.values() if isinstance(op, Op) and op.body}
    keys = [(m, "validation" if m in bodies else "serialization") for m in models]
    schemas_by_key, definitions = models_json_schema(keys, ref_template=REF_TEMPLATE)
    refs = {model: schemas_by_key[(model, mode)] for model, mode in keys}
    paths = {
        path: {
            method: _operation(method, operation, refs) if isinstance(operation, Op) else operation
            for method, operation in item.items()
        }
        for path, item in _PATHS.items()
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "witness_support API",
            "version": "1",
            "description": "Authenticate with a personal API token: Authorization: Bearer <token>. "
            "Objects you are not assigned to answer 404.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA, **definitions.get("$defs", {})},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def document() -> dict[str, Any]:
    return _document()


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
