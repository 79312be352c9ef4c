"""The API's case resources: cases with their defendants, journeys and stage transitions."""

from __future__ import annotations

from pydantic import Field

from ..api.schemas import BlankText, Id, Input, Instant, Output, Text
from .models import CaseRole, CustodyStatus, Stage

# ---- input ---------------------------------------------------------------------------------------


class DefendantInput(Input):
    name: Text(200)
    custody_status: CustodyStatus


class CaseInput(Input):
    reference: Text(60)
    court_name: Text(200)
    court_timezone: Text(64) = Field(examples=["Asia/Jakarta"], description="An IANA time zone")
    offence_type: Text(120)
    defendants: list[DefendantInput] | None = Field(default=None, max_length=100)


class JourneyInput(Input):
    """Link a witness to the case (starts a journey at pre-trial)."""

    witness_id: Id


class TransitionInput(Input):
    to: Stage
    reason: BlankText(2000) = ""
    override_reason: BlankText(2000) = ""


class CaseAssignmentEnd(Input):
    """Take a person off the case: the reason is audited."""

    reason: Text(500, min_length=1)


# ---- output --------------------------------------------------------------------------------------


class Defendant(Output):
    id: int
    name: str
    custody_status: CustodyStatus


class JourneyOfCase(Output):
    id: int
    witness_id: int
    witness_reference: str
    stage: Stage


class Case(Output):
    id: int
    reference: str
    court_name: str
    court_timezone: str
    offence_type: str
    defendants: list[Defendant]
    journeys: list[JourneyOfCase]

    @classmethod
    def of(cls, case: object) -> Case:
        return cls(
            id=case.id, reference=case.reference, court_name=case.court_name, court_timezone=case.court_timezone,
            offence_type=case.offence_type, defendants=[Defendant.model_validate(d) for d in case.defendants],
            journeys=[JourneyOfCase(id=j.id, witness_id=j.witness_id, witness_reference=j.witness.reference,
                                    stage=j.stage) for j in case.journeys],
        )


class Transition(Output):
    id: int
    journey_id: int
    from_stage: Stage | None = Field(validation_alias="from_stage", serialization_alias="from")
    to: Stage = Field(validation_alias="to_stage")
    at: Instant
    actor_id: int | None
    reason: str
    override_reason: str | None


class Journey(Output):
    id: int
    witness_id: int
    case_id: int
    stage: Stage
    transitions: list[Transition]


class CaseAssignment(Output):
    id: int
    case_id: int
    user_id: int
    role: CaseRole
    created_at: Instant
    ended_at: Instant | None
