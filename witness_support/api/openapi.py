"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json and tested against responses.

Other areas add their paths with `add_paths(...)` and their schemas with `add_schemas(...)` at import.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from ..access import document_groups
from . import bp

DATE = {"type": ["string", "null"], "format": "date"}
TEXT = {"type": ["string", "null"]}
# Ids are INTEGER columns; beyond this range a path answers 404 and a body field 422.
ID = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }
        },
    },
    "WitnessSummary": {
        "type": "object",
        "required": ["id", "reference", "is_child", "participation", "risk_level", "high_risk", "stages"],
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string", "pattern": "^W-[0-9]{4}-[0-9]{4,}$"},
            "is_child": {"type": "boolean"},
            "participation": {"enum": ["undecided", "participating", "declined", "withdrawn"]},
            "risk_level": {"enum": ["low", "medium", "high", "critical", None]},
            "high_risk": {"type": "boolean"},
            "next_review_on": DATE,
            "in_reflection_period": {"type": "boolean"},
            "stages": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["case_id", "journey_id", "stage"],
                    "properties": {
                        "case_id": {"type": "integer"},
                        "journey_id": {"type": "integer"},
                        "stage": {"$ref": "#/components/schemas/Stage"},
                    },
                },
            },
        },
    },
    "Stage": {"enum": ["pre_trial", "trial", "post_trial", "closed"]},
    "Identity": {
        "type": ["object", "null"],
        "description": "The identity, contact and location fields the caller sees (null when none); "
                       "every read is audited.",
        "properties": {
            "legal_name": {"type": "string"},
            "date_of_birth": DATE,
            "contact_details": {"type": "string"},
            "address": {"type": "string"},
        },
    },
    "Witness": {
        "allOf": [{"$ref": "#/components/schemas/WitnessSummary"}],
        "type": "object",
        "required": ["identity", "preferred_language", "presumed_child", "age_assessment"],
        "properties": {
            "identity": {"$ref": "#/components/schemas/Identity"},
            "presumed_child": {"type": "boolean"},
            "age_assessment": {"enum": ["none", "child", "adult"]},
            "gender": {"type": "string"},
            "nationality": {"type": "string"},
            "preferred_language": {"type": "string"},
            "interpreter_language": TEXT,
            "reflection_start": DATE,
            "reflection_end": DATE,
        },
    },
    "WitnessInput": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "legal_name": {"type": "string", "maxLength": 200},
            "date_of_birth": DATE,
            "contact_details": {"type": ["string", "null"], "maxLength": 2000},
            "address": {"type": ["string", "null"], "maxLength": 2000},
            "presumed_child": {"type": "boolean"},
            "age_assessment": {"enum": ["none", "child", "adult"]},
            "gender": {"type": ["string", "null"], "maxLength": 40},
            "nationality": {"type": ["string", "null"], "maxLength": 80},
            "preferred_language": {"type": "string", "maxLength": 35},
            "interpreter_language": {"type": ["string", "null"], "maxLength": 35},
            "participation": {"enum": ["undecided", "participating", "declined", "withdrawn"]},
            "reflection_start": DATE,
            "reflection_end": DATE,
        },
    },
    "RiskAssessment": {
        "type": "object",
        "required": ["id", "witness_id", "stage", "level", "assessed_on", "next_review_on"],
        "properties": {
            "id": {"type": "integer"},
            "witness_id": {"type": "integer"},
            "stage": {"enum": ["pre_trial", "trial", "post_trial"]},
            "level": {"enum": ["low", "medium", "high", "critical"]},
            "assessed_on": {"type": "string", "format": "date"},
            "next_review_on": {"type": "string", "format": "date"},
            "threats": {"type": "string"},
            "measures": {"type": "string"},
            "assessor_id": {"type": ["integer", "null"]},
        },
    },
    "RiskAssessmentInput": {
        "type": "object",
        "required": ["stage", "level", "next_review_on"],
        "additionalProperties": False,
        "properties": {
            "stage": {"enum": ["pre_trial", "trial", "post_trial"]},
            "level": {"enum": ["low", "medium", "high", "critical"]},
            "assessed_on": DATE,
            "next_review_on": {"type": "string", "format": "date"},
            "threats": {"type": ["string", "null"], "maxLength": 5000},
            "measures": {"type": ["string", "null"], "maxLength": 5000},
        },
    },
    "Defendant": {
        "type": "object",
        "required": ["name", "custody_status"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string", "maxLength": 200},
            "custody_status": {"enum": ["remanded", "bailed", "at_large", "sentenced"]},
        },
    },
    "Case": {
        "type": "object",
        "required": ["id", "reference", "court_name", "court_timezone", "offence_type", "defendants", "journeys"],
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "court_name": {"type": "string"},
            "court_timezone": {"type": "string"},
            "offence_type": {"type": "string"},
            "defendants": {"type": "array", "items": {"$ref": "#/components/schemas/Defendant"}},
            "journeys": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "witness_id", "witness_reference", "stage"],
                    "properties": {
                        "id": {"type": "integer"},
                        "witness_id": {"type": "integer"},
                        "witness_reference": {"type": "string"},
                        "stage": {"$ref": "#/components/schemas/Stage"},
                    },
                },
            },
        },
    },
    "CaseInput": {
        "type": "object",
        "required": ["reference", "court_name", "court_timezone", "offence_type"],
        "additionalProperties": False,
        "properties": {
            "reference": {"type": "string", "maxLength": 60},
            "court_name": {"type": "string", "maxLength": 200},
            "court_timezone": {"type": "string", "maxLength": 64, "examples": ["Asia/Jakarta"]},
            "offence_type": {"type": "string", "maxLength": 120},
            "defendants": {"type": "array", "maxItems": 100, "items": {"$ref": "#/components/schemas/Defendant"}},
        },
    },
    "Transition": {
        "type": "object",
        "required": ["id", "journey_id", "from", "to", "at"],
        "properties": {
            "id": {"type": "integer"},
            "journey_id": {"type": "integer"},
            "from": {"enum": ["pre_trial", "trial", "post_trial", "closed", None]},
            "to": {"$ref": "#/components/schemas/Stage"},
            "at": {"type": "string", "format": "date-time"},
            "actor_id": {"type": ["integer", "null"]},
            "reason": {"type": "string"},
            "override_reason": TEXT,
        },
    },
    "Journey": {
        "type": "object",
        "required": ["id", "witness_id", "case_id", "stage", "transitions"],
        "properties": {
            "id": {"type": "integer"},
            "witness_id": {"type": "integer"},
            "case_id": {"type": "integer"},
            "stage": {"$ref": "#/components/schemas/Stage"},
            "transitions": {"type": "array", "items": {"$ref": "#/components/schemas/Transition"}},
        },
    },
}


for _name, _resource in (("WitnessSummary", "witness"), ("Witness", "witness"), ("Identity", "witness"),
                         ("RiskAssessment", "risk_assessment")):
    document_groups(SCHEMAS[_name], _resource)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, **json_content(schema)}


def items_of(name: str, paginated: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": ref(name)}},
    }
    if paginated:
        schema["properties"]["next_after"] = {"type": ["integer", "null"]}
    return schema


ERRORS = {
    "400": {"description": "Malformed JSON", **json_content(ref("Error"))},
    "401": {"description": "No valid API token", **json_content(ref("Error"))},
    "404": {"description": "Not found, or not yours to see", **json_content(ref("Error"))},
    "409": {"description": "Conflicts with the current state", **json_content(ref("Error"))},
    "422": {"description": "A field or a rule refused the request", **json_content(ref("Error"))},
}


def op(summary: str, responses: dict[str, Any], body: str | None = None, **extra: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": {**responses, **ERRORS}, **extra}
    if body:
        operation["requestBody"] = {"required": True, **json_content(ref(body))}
    return operation


def id_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": ID}


PATHS: dict[str, Any] = {
    "/witnesses": {
        "get": op(
            "Witnesses you are assigned to (pseudonymous), newest first",
            {"200": ok(items_of("WitnessSummary", paginated=True))},
            parameters=[
                {"name": "after", "in": "query", "schema": ID},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                {
                    "name": "name",
                    "in": "query",
                    "description": "Exact legal name (case, accents' Unicode form and spacing aside), matched "
                    "through a keyed blind index among the witnesses whose identity you may see. The search "
                    "is audited (without the name). Query strings are masked in the server's logs.",
                    "schema": {"type": "string", "maxLength": 200},
                },
            ],
        ),
        "post": op("Register a witness", {"201": ok(ref("Witness"), "Created")}, "WitnessInput"),
    },
    "/witnesses/{witness_id}": {
        "parameters": [id_param("witness_id")],
        "get": op("A witness; identity only with need to know (audited)", {"200": ok(ref("Witness"))}),
        "patch": op("Change a witness", {"200": ok(ref("Witness"))}, "WitnessInput"),
    },
    "/witnesses/{witness_id}/risk-assessments": {
        "parameters": [id_param("witness_id")],
        "get": op("Risk assessments, newest first", {"200": ok(items_of("RiskAssessment"))}),
        "post": op(
            "Record a risk assessment", {"201": ok(ref("RiskAssessment"), "Created")}, "RiskAssessmentInput"
        ),
    },
    "/cases": {
        "get": op("Cases you work on", {"200": ok(items_of("Case"))}),
        "post": op("Open a case", {"201": ok(ref("Case"), "Created")}, "CaseInput"),
    },
    "/cases/{case_id}": {
        "parameters": [id_param("case_id")],
        "get": op("A case", {"200": ok(ref("Case"))}),
    },
    "/cases/{case_id}/witnesses": {
        "parameters": [id_param("case_id")],
        "post": op(
            "Link a witness to the case (starts a journey at pre-trial)",
            {"201": ok(ref("Journey"), "Created")},
            requestBody={
                "required": True,
                **json_content(
                    {
                        "type": "object",
                        "required": ["witness_id"],
                        "additionalProperties": False,
                        "properties": {"witness_id": {"type": "integer"}},
                    }
                ),
            },
        ),
    },
    "/journeys/{journey_id}/transitions": {
        "parameters": [id_param("journey_id")],
        "post": op(
            "Move a journey to another stage",
            {"201": ok(ref("Transition"), "Created")},
            requestBody={
                "required": True,
                **json_content(
                    {
                        "type": "object",
                        "required": ["to"],
                        "additionalProperties": False,
                        "properties": {
                            "to": ref("Stage"),
                            "reason": {"type": ["string", "null"], "maxLength": 2000},
                            "override_reason": {"type": ["string", "null"], "maxLength": 2000},
                        },
                    }
                ),
            },
        ),
    },
}


def add_paths(paths: dict[str, Any]) -> None:
    PATHS.update(paths)


def add_schemas(schemas: dict[str, Any]) -> None:
    SCHEMAS.update(schemas)


def document() -> dict[str, Any]:
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
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
