"""The API's witness resources: what a client sends and what it gets back (and the OpenAPI schemas)."""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import ConfigDict, Field

from ..api.schemas import BlankText, Day, Input, NullText, OneOf, Output, Text, field_groups
from ..cases.models import Stage
from . import models
from .models import AgeAssessment, Participation, RiskLevel
from .operations import RISK_STAGES

# ---- input ---------------------------------------------------------------------------------------


class WitnessInput(Input):
    """Register a witness. Identity fields are encrypted at rest and shown only with need to know."""

    legal_name: Text(200)
    date_of_birth: Day | None = None
    contact_details: BlankText(2000) = ""
    address: BlankText(2000) = ""
    presumed_child: bool = False
    age_assessment: AgeAssessment = AgeAssessment.NONE
    gender: BlankText(40) = ""
    nationality: BlankText(80) = ""
    country_of_origin: BlankText(2) = Field("", description="ISO 3166-1 alpha-2 code; empty: not recorded.")
    preferred_language: Text(35)
    interpreter_language: NullText(35) = None
    participation: Participation = Participation.UNDECIDED
    reflection_start: Day | None = None
    reflection_end: Day | None = None


class WitnessPatch(Input):
    """Change a witness: only the fields sent change (a default of null here means "unchanged")."""

    legal_name: Text(200) = None
    date_of_birth: Day | None = None
    contact_details: BlankText(2000) = None
    address: BlankText(2000) = None
    presumed_child: bool = None
    age_assessment: AgeAssessment = None
    gender: BlankText(40) = None
    nationality: BlankText(80) = None
    country_of_origin: BlankText(2) = None
    preferred_language: Text(35) = None
    interpreter_language: NullText(35) = None
    participation: Participation = None
    reflection_start: Day | None = None
    reflection_end: Day | None = None


class SearchInput(Input):
    """A search, sent in the body so that a name never reaches a URL (and so no log or history)."""

    q: Text(200, min_length=1) = Field(
        description="A reference or its beginning (W-2026-3448, any case), or any words of a name: each word must "
                    "be a word of the legal name, accents, case and common transliteration variants aside")
    limit: int = Field(50, ge=1, le=200)


class RiskAssessmentInput(Input):
    stage: OneOf(*RISK_STAGES)
    level: RiskLevel
    assessed_on: Day | None = None
    next_review_on: Day
    threats: BlankText(5000) = ""
    measures: BlankText(5000) = ""


# ---- output --------------------------------------------------------------------------------------


class StageOfCase(Output):
    case_id: int
    journey_id: int = Field(validation_alias="id")
    stage: Stage


class WitnessSummary(Output):
    """A witness without identity: what anyone assigned sees."""

    model_config = ConfigDict(json_schema_extra=field_groups("witness"))

    id: int
    reference: str = Field(pattern="^W-[0-9]{4}-[0-9]{4,}$")
    is_child: bool
    participation: Participation
    risk_level: RiskLevel | None
    high_risk: bool
    next_review_on: date | None
    in_reflection_period: bool
    stages: list[StageOfCase]

    @classmethod
    def fields_of(cls, witness: models.Witness) -> dict:
        return {
            "id": witness.id, "reference": witness.reference, "is_child": witness.is_child,
            "participation": witness.participation, "risk_level": witness.current_risk_level,
            "high_risk": witness.high_risk, "next_review_on": witness.next_review_on,
            "in_reflection_period": witness.in_reflection_period(),
            "stages": [StageOfCase.model_validate(j) for j in witness.journeys],
        }

    @classmethod
    def of(cls, witness: models.Witness) -> Self:
        return cls(**cls.fields_of(witness))


class SearchResults(Output):
    """What a search found among the witnesses the caller may see (by name: whose identity they may
    see). Nothing in it tells of a witness the caller may not see: no count, no hint."""

    items: list[WitnessSummary]
    by: OneOf("name", "reference") = Field(description="How the text was read; a search by name is audited")
    more: bool = Field(description="More matched than `limit`: refine the search")


class WitnessPage(Output):
    items: list[WitnessSummary]
    next_after: int | None = Field(description="Pass as `after` for the next page; null on the last")


class Identity(Output):
    """The identity, contact and location fields the caller sees (null when none); every read is audited."""

    model_config = ConfigDict(json_schema_extra=field_groups("witness"))

    legal_name: str
    date_of_birth: date | None
    contact_details: str
    address: str


class Witness(WitnessSummary):
    model_config = ConfigDict(json_schema_extra=field_groups("witness"))

    identity: Identity | None
    presumed_child: bool
    age_assessment: AgeAssessment
    gender: str
    nationality: str
    country_of_origin: str
    preferred_language: str
    interpreter_language: str | None
    reflection_start: date | None
    reflection_end: date | None
    # Days are named `*_on` across the API (starts_on, assessed_on ...): the same dates so named.
    reflection_starts_on: date | None = Field(description="The same as reflection_start, named as other days are")
    reflection_ends_on: date | None = Field(description="The same as reflection_end, named as other days are")

    @classmethod
    def of(cls, witness: models.Witness, *, identity: bool = False) -> Self:  # type: ignore[override]
        return cls(
            **cls.fields_of(witness),
            identity=Identity.model_validate(witness) if identity else None,
            presumed_child=witness.presumed_child, age_assessment=witness.age_assessment, gender=witness.gender,
            nationality=witness.nationality, country_of_origin=witness.country_of_origin,
            preferred_language=witness.preferred_language,
            interpreter_language=witness.interpreter_language, reflection_start=witness.reflection_start,
            reflection_end=witness.reflection_end, reflection_starts_on=witness.reflection_start,
            reflection_ends_on=witness.reflection_end,
        )


class RiskAssessment(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("risk_assessment"))

    id: int
    witness_id: int
    stage: OneOf(*RISK_STAGES)
    level: RiskLevel
    assessed_on: date
    next_review_on: date
    threats: str
    measures: str
    assessor_id: int | None

    @classmethod
    def of(cls, assessment: models.RiskAssessment) -> Self:
        return cls.model_validate(assessment)
