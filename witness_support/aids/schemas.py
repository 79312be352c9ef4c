"""The API's testimonial aids: what is sent to record one or move it along, and what is answered."""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict, Field

from ..api.schemas import BlankText, Day, Id, Input, Instant, NullText, Output, field_groups
from .models import AidKind, AidStatus

# ---- input ---------------------------------------------------------------------------------------


class AidInput(Input):
    case_id: Id
    kind: AidKind
    note: BlankText(5000) = ""


class AidPatch(Input):
    """needed → applied → granted | refused; withdrawn from needed or applied."""

    status: AidStatus
    on: Day | None = None
    order_reference: NullText(100) = None
    note: BlankText(5000) = ""


# ---- output --------------------------------------------------------------------------------------


class AidChange(Output):
    from_status: AidStatus | None = Field(validation_alias="from_status", serialization_alias="from")
    to: AidStatus = Field(validation_alias="to_status")
    at: Instant
    actor_id: int | None
    note: str


class Aid(Output):
    """A testimonial aid: court logistics, which whoever sees the witness sees."""

    model_config = ConfigDict(json_schema_extra=field_groups("aid"))

    id: int
    witness_id: int
    case_id: int
    kind: AidKind
    status: AidStatus
    applied_on: date | None
    decided_on: date | None
    order_reference: str | None
    note: str
    proposed_automatically: bool
    history: list[AidChange]
