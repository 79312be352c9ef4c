"""The API's custody resources: defendants with their custody history, a custody entry with its bail
conditions, and a witness's enrolment for offender notices after the case.

Custody entries are court logistics; a bail condition naming a place needs the location group of the
witness it concerns (an unnamed one: of every witness of the case).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import ConfigDict, Field, WithJsonSchema

from ..api.schemas import Day, Id, Input, Instant, NullText, Output, Text, field_groups
from .models import ConditionKind, EventKind

_CONDITION_IN = {
    "type": "object",
    "required": ["kind"],
    "properties": {"kind": {"enum": sorted(ConditionKind)}, "witness_id": {"type": ["integer", "null"]},
                   "text": {"type": ["string", "null"], "maxLength": 500}},
}
# The conditions are checked one by one by the operation (each refusal named under `conditions`).
Conditions = Annotated[
    list[dict[str, Any]] | None,
    Field(max_length=100),
    WithJsonSchema({"type": ["array", "null"], "items": _CONDITION_IN, "description": "Bail decisions only."}),
]

# ---- input ---------------------------------------------------------------------------------------


class CustodyEventInput(Input):
    kind: EventKind
    occurred_at: Text(40) = Field(description="ISO 8601; without an offset, in court time.")
    learned_at: NullText(40) = Field(None, description="As occurred_at; empty: now.")
    source: Text(200)
    note: NullText(2000) = None
    release_date: Day | None = None
    hearing_on: Day | None = None
    corrects_id: Id | None = None
    conditions: Conditions = None


class EnrolmentInput(Input):
    enrolled: bool
    reason: NullText(2000) = None


# ---- output --------------------------------------------------------------------------------------


class BailCondition(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("bail_condition"))

    id: int
    kind: ConditionKind
    witness_id: int | None = Field(description="No contact: the witness named.")
    text: str = Field(description="Exclusion zone and residence need the location group.")


class CustodyEvent(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("custody_event"))

    id: int
    defendant_id: int
    case_id: int
    kind: EventKind
    words: str
    occurred_at: Instant
    learned_at: Instant
    source: str
    note: str
    release_date: date | None
    hearing_on: date | None
    corrects_id: int | None
    entered_by_id: int | None
    entered_at: Instant
    conditions: list[BailCondition] = Field(description="Only the conditions the caller may read.")


class DefendantCustody(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("defendant"))

    id: int
    case_id: int
    name: str
    custody_status: str
    events: list[CustodyEvent] = Field(description="Most recent first.")


class Enrolment(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("enrolment"))

    witness_id: int
    case_id: int
    enrolled: bool = Field(description="Offender notices after the journey closed (default).")
    changed_at: Instant | None
    reason: str
