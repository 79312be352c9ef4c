"""The API's protection plan resources: the plan with its revisions and their measures, and the
next revision as sent. The plan is risk detail; relocation and safe accommodation need location too."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import ConfigDict, Field, WithJsonSchema

from ..api.schemas import Day, Id, Input, Instant, NullText, Output, field_groups
from .models import MeasureKind
from .operations import MAX_MEASURES

_MEASURE_IN = {
    "type": "object",
    "required": ["kind", "responsible"],
    "properties": {
        "kind": {"enum": sorted(MeasureKind)},
        "text": {"type": ["string", "null"], "maxLength": 2000, "description": "Required for kind other."},
        "responsible": {"type": "string", "maxLength": 200},
    },
}
# The measures are checked one by one by the operation (each refusal named under `measures`).
Measures = Annotated[
    list[dict[str, Any]],
    Field(max_length=100),
    WithJsonSchema({"type": "array", "minItems": 1, "maxItems": MAX_MEASURES, "items": _MEASURE_IN}),
]


class PlanRevisionInput(Input):
    measures: Measures
    review_on: Day
    risk_assessment_id: Id
    summary: NullText(5000) = None
    task_id: Id | None = Field(None, description="An open plan task of yours: completed by it.")


class PlanMeasure(Output):
    """Relocation and safe accommodation need the location group; the others risk detail."""

    model_config = ConfigDict(json_schema_extra=field_groups("plan_measure"))

    id: int
    kind: MeasureKind
    text: str
    responsible: str


class PlanRevision(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("plan_revision"))

    id: int
    number: int
    review_on: date
    summary: str
    risk_assessment_id: int
    task_id: int | None = Field(description="The task this revision completed.")
    revised_by_id: int | None
    revised_at: Instant
    measures: list[PlanMeasure] = Field(description="Only the measures the caller may read.")


class ProtectionPlan(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("protection_plan"))

    witness_id: int
    revisions: list[PlanRevision] = Field(description="Newest first.")
