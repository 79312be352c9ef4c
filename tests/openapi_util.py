"""Check real API responses against the app's own OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator


def _template_matches(template: str, path: str) -> bool:
    pattern = "^" + re.sub(r"\{[^}]+\}", r"[^/]+", template) + "$"
    return re.match(pattern, path) is not None


def assert_matches_openapi(client: Any, method: str, path: str, response: Any) -> None:
    """The response's status is documented for that route and its JSON body fits the schema."""
    document = client.get("/api/v1/openapi.json").get_json()
    relative = path.split("?")[0].removeprefix("/api/v1")
    templates = [t for t in document["paths"] if _template_matches(t, relative)]
    assert templates, f"{relative} is not in the OpenAPI document"
    operation = document["paths"][templates[0]].get(method.lower())
    assert operation is not None, f"{method} {templates[0]} is not documented"
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {templates[0]} does not document {status}"
    content = operation["responses"][status].get("content", {})
    if "application/json" not in content:
        return
    schema = {**content["application/json"]["schema"], "components": document["components"]}
    Draft202012Validator(schema).validate(response.get_json())
