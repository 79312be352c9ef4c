"""API routes for a witness's notification preferences and the notices sent to them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, jsonify
from flask_login import current_user

from .. import audit
from ..errors import NotFound
from ..extensions import db
from ..notifications import operations
from ..notifications.models import Channel, Kind, Notification, NotificationPreference, Status
from ..permissions import Permission, can_view_identity
from . import Field, bp, iso, json_body, openapi, parse, require
from .witnesses import load_witness

PREFERENCE_FIELDS = {
    "channel": Field(str, required=True, nullable=False, choices=set(Channel)),
    "language": Field(str, required=True, nullable=False, max_length=10),
    "opted_out": Field(list),
    "email": Field(str, max_length=254),
    "phone": Field(str, max_length=40),
    "postal_address": Field(str, max_length=2000),
    "contact_is_safe": Field(bool, nullable=False),
    "third_party_name": Field(str, max_length=200),
}


def preference_json(pref: NotificationPreference) -> dict[str, Any]:
    return {
        "witness_id": pref.witness_id,
        "channel": pref.channel,
        "language": pref.language,
        "opted_out": list(pref.opted_out or []),
        "email": pref.email,
        "phone": pref.phone,
        "postal_address": pref.postal_address,
        "contact_is_safe": pref.contact_is_safe,
        "third_party_name": pref.third_party_name,
        "stored": pref.id is not None,
    }


def notification_json(notice: Notification) -> dict[str, Any]:
    return {
        "id": notice.id,
        "witness_id": notice.witness_id,
        "case_id": notice.case_id,
        "kind": notice.kind,
        "status": notice.status,
        "channel": notice.channel,
        "recipient": notice.recipient,
        "language": notice.language,
        "language_fallback": notice.language_fallback,
        "minimal": notice.minimal,
        "triggered_at": iso(notice.triggered_at),
        "deadline_at": iso(notice.deadline_at),
        "sent_at": iso(notice.sent_at),
        "attempts": notice.attempts,
        "last_error": notice.last_error,
        "overdue": notice.overdue(),
    }


def _load_with_contacts(witness_id: int):  # noqa: ANN202 - Witness
    """Preferences hold safe addresses and numbers: identity-level need-to-know."""
    witness = load_witness(witness_id)
    if not can_view_identity(current_user, witness):
        raise NotFound()
    return witness


@bp.get("/witnesses/<int:witness_id>/notification-preferences")
def get_preferences_api(witness_id: int) -> Response:
    require(Permission.NOTIFICATION_VIEW)
    witness = _load_with_contacts(witness_id)
    pref = operations.preferences_for(witness)
    audit.record("notification_preference.view", witness, actor=current_user)
    db.session.commit()
    return jsonify(preference_json(pref))


@bp.put("/witnesses/<int:witness_id>/notification-preferences")
def put_preferences_api(witness_id: int) -> Response:
    require(Permission.NOTIFICATION_MANAGE)
    witness = _load_with_contacts(witness_id)
    data = parse(json_body(), PREFERENCE_FIELDS)
    for name in ("email", "phone", "postal_address", "third_party_name"):
        data[name] = data.get(name) or ""
    data.setdefault("opted_out", [])
    data["opted_out"] = data["opted_out"] or []
    data.setdefault("contact_is_safe", False)
    pref = operations.set_preferences(current_user, witness, **data)
    db.session.commit()
    return jsonify(preference_json(pref))


@bp.get("/witnesses/<int:witness_id>/notifications")
def list_notifications_api(witness_id: int) -> Response:
    require(Permission.NOTIFICATION_VIEW)
    witness = load_witness(witness_id)
    notices = db.session.execute(
        sa.select(Notification).where(Notification.witness_id == witness.id).order_by(Notification.id.desc()).limit(500)
    ).scalars()
    return jsonify({"items": [notification_json(n) for n in notices]})


_PREF_PROPERTIES = {
    "channel": {"enum": sorted(Channel)},
    "language": {"type": "string", "maxLength": 10},
    "opted_out": {"type": "array", "items": {"enum": sorted(Kind)}},
    "email": {"type": ["string", "null"], "maxLength": 254},
    "phone": {"type": ["string", "null"], "maxLength": 40},
    "postal_address": {"type": ["string", "null"], "maxLength": 2000},
    "contact_is_safe": {"type": "boolean"},
    "third_party_name": {"type": ["string", "null"], "maxLength": 200},
}
openapi.add_schemas({
    "NotificationPreferences": {
        "type": "object",
        "required": ["witness_id", "channel", "language", "opted_out", "contact_is_safe", "stored"],
        "properties": {"witness_id": {"type": "integer"}, **_PREF_PROPERTIES, "stored": {"type": "boolean"}},
    },
    "NotificationPreferencesInput": {
        "type": "object",
        "required": ["channel", "language"],
        "additionalProperties": False,
        "properties": _PREF_PROPERTIES,
    },
    "Notification": {
        "type": "object",
        "required": ["id", "witness_id", "kind", "status", "deadline_at", "attempts", "overdue"],
        "properties": {
            "id": {"type": "integer"},
            "witness_id": {"type": "integer"},
            "case_id": {"type": ["integer", "null"]},
            "kind": {"enum": sorted(Kind)},
            "status": {"enum": sorted(Status)},
            "channel": {"enum": [*sorted(Channel), None]},
            "recipient": {"enum": ["witness", "guardian", "third_party", None]},
            "language": {"type": ["string", "null"]},
            "language_fallback": {"type": "boolean"},
            "minimal": {"type": ["boolean", "null"]},
            "triggered_at": {"type": "string", "format": "date-time"},
            "deadline_at": {"type": "string", "format": "date-time"},
            "sent_at": {"type": ["string", "null"], "format": "date-time"},
            "attempts": {"type": "integer"},
            "last_error": {"type": ["string", "null"]},
            "overdue": {"type": "boolean"},
        },
    },
})
openapi.add_paths({
    "/witnesses/{witness_id}/notification-preferences": {
        "parameters": [openapi.id_param("witness_id")],
        "get": openapi.op(
            "How the witness wants to hear news (defaults if never set); contacts need identity access, audited",
            {"200": openapi.ok(openapi.ref("NotificationPreferences"))},
        ),
        "put": openapi.op(
            "Replace the witness's preferences", {"200": openapi.ok(openapi.ref("NotificationPreferences"))},
            "NotificationPreferencesInput",
        ),
    },
    "/witnesses/{witness_id}/notifications": {
        "parameters": [openapi.id_param("witness_id")],
        "get": openapi.op(
            "Notices to the witness, newest first", {"200": openapi.ok(openapi.items_of("Notification"))}
        ),
    },
})
