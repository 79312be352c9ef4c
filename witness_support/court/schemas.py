"""The API's court resources: court events with attendance and history, support assignments and
trial readiness.

Times sent: `starts_at`/`ends_at` are ISO 8601. With an offset they mean that instant; without one
they are read on the court's wall clock (the case's time zone). Times answered are UTC
(`starts_at`) and court-local (`local_starts_at`), both with their offsets.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, Self
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field

from ..api.schemas import BlankText, Day, Id, Input, Instant, NullText, OneOf, Output, Text, field_groups
from ..dates import as_local
from ..witnesses.models import AssignmentRole
from . import models
from .models import EventKind, EventStatus
from .readiness import TrialReadiness

# A time as sent: read by the server (with the case's time zone), so the schema keeps it a string.
LocalTime = Text(40)
_LOCAL = "ISO 8601; without an offset it is read in the court's time zone"

# ---- input ---------------------------------------------------------------------------------------


class CourtEventInput(Input):
    """Schedule a court event (a reflection-period override is needed for witnesses still reflecting)."""

    kind: EventKind
    starts_at: LocalTime = Field(description=_LOCAL)
    ends_at: LocalTime = Field(description=_LOCAL)
    court_name: NullText(200) = Field(default=None, description="The case's court when left out")
    room: BlankText(100) = ""
    remote_link: bool = False
    interpreter_language: NullText(35) = None
    witness_ids: list[Id] | None = Field(default=None, max_length=100)
    reflection_override_reason: BlankText(2000) = ""
    avoid_override_reason: BlankText(2000) = Field(
        default="", description="Needed when a required witness asked not to attend on a day of the event")


class CourtEventPatch(Input):
    """One change per request: status (cancelled/held), a move (times, optionally room), or details."""

    status: OneOf(EventStatus.CANCELLED, EventStatus.HELD) = None
    starts_at: LocalTime = Field(default=None, description=_LOCAL)
    ends_at: LocalTime = Field(default=None, description=_LOCAL)
    room: NullText(100) = None
    court_name: Text(200) = None
    remote_link: bool = None
    interpreter_language: NullText(35) = None
    reason: BlankText(2000) = ""
    reflection_override_reason: BlankText(2000) = ""
    avoid_override_reason: BlankText(2000) = Field(
        default="", description="Needed when a required witness asked not to attend on a day of the event")


class AttendanceInput(Input):
    """Book a person to attend in support of a witness (double-booking needs a reason). A person not
    yet assigned to the witness is assigned with the booking, in the role `assign_as`, by those who
    may assign people to witnesses."""

    witness_id: Id
    user_id: Id
    override_reason: BlankText(2000) = ""
    assign_as: AssignmentRole | None = None


class AssignmentInput(Input):
    user_id: Id
    role: AssignmentRole
    starts_on: Day | None = None
    ends_on: Day | None = None


# ---- output --------------------------------------------------------------------------------------


class Attendance(Output):
    id: int
    event_id: int
    witness_id: int
    user_id: int
    role: AssignmentRole
    override_reason: str | None


class RequiredWitness(Output):
    witness_id: int
    reference: str
    reflection_override_reason: str | None
    avoid_override_reason: str | None
    outcome: models.AttendanceOutcome | None = Field(description="How the witness's attendance went")
    outcome_reason: str | None


class EventChange(Output):
    action: Literal["created", "moved", "cancelled", "held", "updated"]
    revision: int
    at: Instant
    actor_id: int | None
    reason: str
    old_starts_at: Instant | None
    old_ends_at: Instant | None
    new_starts_at: Instant | None
    new_ends_at: Instant | None
    old_status: str | None
    new_status: str


class CourtEvent(Output):
    """A court event; every field has a field group (a field without one is left out). Whoever
    sees the event sees the court logistics of its witnesses, through the case."""

    model_config = ConfigDict(json_schema_extra=field_groups("court_event"))

    id: int
    case_id: int
    kind: EventKind
    status: EventStatus
    starts_at: Instant
    ends_at: Instant
    local_starts_at: Instant
    local_ends_at: Instant
    court_timezone: str
    court_name: str
    room: str
    remote_link: bool
    interpreter_language: str | None
    revision: int = Field(ge=1, description="iCalendar SEQUENCE")
    updated_at: Instant = Field(description="iCalendar DTSTAMP: changes exactly when revision does")
    witnesses: list[RequiredWitness]
    attendance: list[Attendance]
    history: list[EventChange]

    @classmethod
    def of(cls, event: models.CourtEvent) -> Self:
        tz = ZoneInfo(event.case.court_timezone)
        return cls(
            id=event.id, case_id=event.case_id, kind=event.kind, status=event.status, starts_at=event.starts_at,
            ends_at=event.ends_at, local_starts_at=as_local(event.starts_at, tz),
            local_ends_at=as_local(event.ends_at, tz), court_timezone=event.case.court_timezone,
            court_name=event.court_name, room=event.room, remote_link=event.remote_link,
            interpreter_language=event.interpreter_language, revision=event.revision, updated_at=event.updated_at,
            witnesses=[RequiredWitness(witness_id=r.witness_id, reference=r.witness.reference,
                                       reflection_override_reason=r.reflection_override_reason,
                                       avoid_override_reason=r.avoid_override_reason, outcome=r.outcome,
                                       outcome_reason=r.outcome_reason)
                       for r in event.required],
            attendance=[Attendance.model_validate(a) for a in event.attendance],
            history=[EventChange.model_validate(c) for c in event.changes],
        )


class Assignment(Output):
    id: int
    witness_id: int
    user_id: int
    display_name: str
    role: AssignmentRole
    starts_on: date
    ends_on: date | None
    ended_at: Instant | None
    active: bool

    @classmethod
    def of(cls, a: object) -> Self:
        return cls(id=a.id, witness_id=a.witness_id, user_id=a.user_id, display_name=a.user.display_name,
                   role=a.role, starts_on=a.starts_on, ends_on=a.ends_on, ended_at=a.ended_at,
                   active=a.is_active_on())


class Blocker(Output):
    code: Literal["risk_assessment", "participation", "reflection_period", "aid_pending", "no_support_person",
                  "no_interpreter", "no_familiarisation_visit", "child_without_guardian", "not_explained",
                  "permit_expires"]
    message: str
    link: str


class ReadinessNote(Output):
    """Shown beside the witness; not blocking."""

    code: Literal["charge_pending"]
    message: str
    link: str


class TrialWarning(Output):
    """Said with the trial day; nobody is less ready."""

    code: Literal["defendant_at_large"]
    message: str
    link: str


class WitnessReadiness(Output):
    witness_id: int
    reference: str
    ready: bool
    blockers: list[Blocker]
    notes: list[ReadinessNote] = Field(description="Shown beside the witness; not blocking.")


class TrialDayReadiness(Output):
    event_id: int
    case_id: int
    starts_at: Instant
    ends_at: Instant
    local_starts_at: Instant
    local_ends_at: Instant
    local_start: Instant = Field(
        description="The same as local_starts_at, under its earlier name", json_schema_extra={"deprecated": True}
    )
    court_timezone: str
    ready: int
    total: int
    state: Literal["ready", "partly_ready", "not_ready", "no_witnesses"]
    warnings: list[TrialWarning] = Field(description="Said with the trial day; nobody is less ready.")
    witnesses: list[WitnessReadiness]

    @classmethod
    def of(cls, trial: TrialReadiness) -> Self:
        tz = ZoneInfo(trial.case.court_timezone)
        local_start = as_local(trial.event.starts_at, tz)
        return cls(
            event_id=trial.event.id, case_id=trial.case.id, starts_at=trial.event.starts_at,
            ends_at=trial.event.ends_at, local_starts_at=local_start, local_start=local_start,
            local_ends_at=as_local(trial.event.ends_at, tz), court_timezone=trial.case.court_timezone,
            ready=trial.ready_count, total=trial.total, state=trial.state,
            warnings=[TrialWarning.model_validate(w.as_dict()) for w in trial.warnings],
            witnesses=[WitnessReadiness(witness_id=w.witness.id, reference=w.witness.reference, ready=w.ready,
                                        blockers=[Blocker.model_validate(b) for b in w.blockers],
                                        notes=[ReadinessNote.model_validate(n) for n in w.notes])
                       for w in trial.witnesses],
        )


class Readiness(Output):
    case_id: int
    trials: list[TrialDayReadiness]
