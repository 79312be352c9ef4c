"""The API's contact-log resources: contacts (the `contact` field group), dates to avoid (the days
are court logistics, the reason and note are needs) and attendance outcomes (court logistics).

Times sent: `occurred_at` is ISO 8601; without an offset it is read on the witness's clock (the
court time zone of their latest case, else UTC). Times answered are UTC (`occurred_at`) and on
that clock (`local_occurred_at`), both with their offsets.
"""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import ConfigDict, Field

from ..api.schemas import Input, Instant, NullText, Output, Text, field_groups
from ..availability.models import AvoidReason
from ..court.models import AttendanceOutcome as Outcome
from ..dates import as_local
from . import models
from .models import Channel, Counterpart

_LOCAL = "ISO 8601; without an offset it is read on the witness's clock (their case's court time zone)"

# ---- input ---------------------------------------------------------------------------------------


class ContactInput(Input):
    """Log a contact; a support person logs only `court_day` notes for a witness they are assigned to."""

    occurred_at: Text(40) = Field(description=_LOCAL)
    channel: Channel
    counterpart: Counterpart = Counterpart.WITNESS
    summary: Text(5000)
    interpreter_language: NullText(35) = Field(None, description="The language interpreted; empty: no interpreter")
    interpreter_name: NullText(200) = None
    follow_up_on: date | None = Field(None, description="Becomes a task for the witness's officer, due that day")


class DateToAvoidInput(Input):
    """One day (no `last_day`) or a range of days the witness cannot attend; `other` needs a note."""

    first_day: date
    last_day: date | None = None
    reason: AvoidReason
    note: NullText(2000) = None


class AttendanceOutcomeInput(Input):
    """How the witness's attendance went; `did_not_attend` needs the reason."""

    outcome: Outcome
    outcome_reason: NullText(2000) = None


# ---- output --------------------------------------------------------------------------------------


class Contact(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("contact"))

    id: int
    witness_id: int
    occurred_at: Instant
    local_occurred_at: Instant
    timezone: str
    channel: Channel
    counterpart: Counterpart
    staff_id: int
    interpreter_language: str | None
    interpreter_name: str
    summary: str
    follow_up_on: date | None
    task_id: int | None
    created_at: Instant

    @classmethod
    def of(cls, contact: models.WitnessContact) -> Self:
        return cls(
            id=contact.id, witness_id=contact.witness_id, occurred_at=contact.occurred_at,
            local_occurred_at=as_local(contact.occurred_at, contact.timezone), timezone=contact.timezone,
            channel=contact.channel, counterpart=contact.counterpart, staff_id=contact.staff_id,
            interpreter_language=contact.interpreter_language, interpreter_name=contact.interpreter_name,
            summary=contact.summary, follow_up_on=contact.follow_up_on, task_id=contact.task_id,
            created_at=contact.created_at,
        )


class ContactPage(Output):
    items: list[Contact]
    next_after: int | None = Field(description="Pass as `after` for the next (older) page; null on the last")


class DateToAvoid(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("date_to_avoid"))

    id: int
    witness_id: int
    first_day: date
    last_day: date
    reason: AvoidReason
    note: str
    created_at: Instant
    removed_at: Instant | None


class AttendanceOutcome(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("attendance_outcome"))

    event_id: int
    witness_id: int
    outcome: Outcome | None
    outcome_reason: str | None
    recorded_at: Instant | None = Field(validation_alias="outcome_recorded_at")
    recorded_by_id: int | None = Field(validation_alias="outcome_recorded_by_id")

