"""The API's services resources: information given, consents, referrals, the service plan and the
organisations directory. Every field of a witness's services is in the `needs` field group."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from ..api.schemas import Id, Input, Instant, NullText, OneOf, Output, Text, field_groups
from ..permissions import FieldGroup
from .models import SERVICES, Method, NeedStatus, OrganisationKind, Purpose, Topic

# A time as sent: ISO 8601 with its offset, read by the route (which names a missing offset).
SentInstant = NullText(40)
GroupName = OneOf(*FieldGroup)
# Field group names; each checked by the route and the operation (so that a refusal names the list).
Groups = Annotated[
    list[Any], Field(max_length=100, json_schema_extra={"items": {"enum": sorted(str(g) for g in FieldGroup)}})
]
Service = OneOf(*SERVICES)

# ---- input ---------------------------------------------------------------------------------------


class InformationInput(Input):
    topic: Topic
    method: Method
    language: Text(35)
    interpreter: NullText(200) = None
    given_at: SentInstant = Field(None, description="ISO 8601 with its offset; empty: now.")
    questions: NullText(5000) = None


class ConsentInput(Input):
    purpose: Purpose
    organisation_id: Id | None = None
    service: Service | None = None
    detail: NullText(300) = None
    scope: Groups | None = None
    given_at: SentInstant = Field(None, description="ISO 8601 with its offset; empty: now.")
    given_how: Method  # no default: how the witness consented is recorded as said, never assumed
    guardian_involvement: NullText(2000) = None
    child_view: NullText(2000) = None


class WithdrawInput(Input):
    note: NullText(2000) = None


class ReferralInput(Input):
    organisation_id: Id
    service: Service
    consent_id: Id
    field_groups: Groups | None = None
    no_terms_reason: NullText(2000) = None
    note: NullText(2000) = None
    send: bool | None = None


class ReferralStatusInput(Input):
    status: Literal["accepted", "declined", "in_progress", "completed"] = Field(
        description="sent → accepted, declined, in progress or completed; accepted → in progress, completed or "
                    "declined; in progress → completed.")
    reason: NullText(2000) = Field(None, description="Why the organisation declined (required with declined).")
    feedback: NullText(5000) = Field(None, description="Feedback received; appended to what came before.")


class NeedInput(Input):
    status: NeedStatus
    goal: NullText(2000) = None
    organisation_id: Id | None = Field(None, description="The responsible organisation, from the directory.")
    review_on: date | None = Field(None, description="Raises a review task as the date comes near.")


class ReviewInput(Input):
    continues_after: Text(5000) = Field(description="What continues for the witness after the case, or why nothing.")


class OrganisationInput(Input):
    name: Text(200)
    kind: OrganisationKind
    services: list[Service] | None = Field(None, max_length=len(SERVICES))
    areas: NullText(500) = None
    country_code: NullText(2) = Field(None, description="ISO 3166-1 alpha-2 code of the country it works in.")
    email: NullText(254) = None
    safe_contact_route: NullText(2000) = None
    confidentiality_agreed_on: date | None = None
    confidentiality_document: NullText(300) = None


# ---- output --------------------------------------------------------------------------------------


class InformationGiven(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("information_given"))

    id: int
    witness_id: int
    topic: Topic
    method: Method
    language: str
    interpreter: str
    given_by_id: int | None
    given_at: Instant
    questions: str


class Consent(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("consent"))

    id: int
    witness_id: int
    purpose: Purpose
    organisation_id: int | None
    service: Service | None
    detail: str
    scope: list[GroupName]
    given_at: Instant
    given_how: Method
    given_to_id: int | None
    guardian_involvement: str
    child_view: str
    withdrawn_at: Instant | None
    withdrawal_note: str
    active: bool


class Referral(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("referral"))

    id: int
    witness_id: int
    organisation_id: int
    consent_id: int
    service: Service
    field_groups: list[GroupName]
    status: Literal["pending", "sent", "accepted", "declined", "in_progress", "completed", "stopped"]
    no_terms_reason: str
    note: str
    decline_reason: str
    feedback: str
    sent_at: Instant | None
    respond_by: Instant | None
    answered_at: Instant | None
    stopped_at: Instant | None
    created_by_id: int | None


class ServiceNeed(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("service_need"))

    id: int
    witness_id: int
    service: Service
    area: str
    status: NeedStatus
    goal: str
    organisation_id: int | None
    review_on: date | None


class SustainabilityReview(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("sustainability_review"))

    id: int
    witness_id: int
    journey_id: int
    continues_after: str
    reviewed_by_id: int | None
    reviewed_at: Instant


class WitnessServices(Output):
    information: list[InformationGiven]
    consents: list[Consent]
    referrals: list[Referral]
    plan: list[ServiceNeed]
    reviews: list[SustainabilityReview]


class Organisation(Output):
    id: int
    name: str
    kind: OrganisationKind
    services: list[Service]
    areas: str
    country_code: str
    country: str = Field(description="The country's name, from its code.")
    email: str
    safe_contact_route: str
    confidentiality_agreed_on: date | None
    confidentiality_document: str
