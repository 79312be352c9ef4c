"""The API's notification resources: a witness's preferences and the notices sent to them."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import ConfigDict, Field

from ..api.schemas import BlankText, Input, Instant, Output, Text, field_groups
from . import models
from .models import Channel, Kind, Status


class NotificationPreferencesInput(Input):
    """Replace the witness's preferences; a channel needs the contact it uses."""

    channel: Channel
    language: Text(10)
    opted_out: list[Kind] | None = Field(default=None, max_length=100)
    email: BlankText(254) = ""
    phone: BlankText(40) = ""
    postal_address: BlankText(2000) = ""
    contact_is_safe: bool = False
    third_party_name: BlankText(200) = ""


class NotificationPreferences(Output):
    model_config = ConfigDict(json_schema_extra=field_groups("notice_preferences"))

    witness_id: int
    channel: Channel
    language: str
    opted_out: list[Kind]
    email: str | None
    phone: str | None
    postal_address: str | None
    contact_is_safe: bool
    third_party_name: str | None
    stored: bool = Field(description="False while the witness has the defaults")

    @classmethod
    def of(cls, pref: models.NotificationPreference) -> Self:
        return cls(
            witness_id=pref.witness_id, channel=pref.channel, language=pref.language,
            opted_out=list(pref.opted_out or []), email=pref.email, phone=pref.phone,
            postal_address=pref.postal_address, contact_is_safe=pref.contact_is_safe,
            third_party_name=pref.third_party_name, stored=pref.id is not None,
        )


class Notification(Output):
    id: int
    witness_id: int
    case_id: int | None
    kind: Kind
    status: Status
    channel: Channel | None
    recipient: Literal["witness", "guardian", "third_party"] | None
    language: str | None
    language_fallback: bool
    minimal: bool | None
    triggered_at: Instant
    deadline_at: Instant
    sent_at: Instant | None
    attempts: int
    last_error: str | None
    overdue: bool

    @classmethod
    def of(cls, notice: models.Notification) -> Self:
        values = {name: getattr(notice, name) for name in cls.model_fields if name != "overdue"}
        return cls(**values, overdue=notice.overdue())

