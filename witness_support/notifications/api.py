"""API routes for a witness's notification preferences and the notices sent to them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response
from flask_login import current_user

from .. import audit
from ..access import filter_fields, visible_groups
from ..api import body, bp, keyset, reply, reply_json, require
from ..api.openapi import PAGE_PARAMETERS, Op, add_paths, id_param
from ..api.schemas import page_of
from ..errors import NotFound
from ..extensions import db
from ..permissions import FieldGroup, Permission
from ..witnesses.models import Witness
from ..witnesses.queries import load_witness
from . import operations, schemas
from .models import Notification


def _load_with_contacts(witness_id: int) -> Witness:
    """Setting preferences replaces the safe numbers (contact) and the postal address (location):
    only for someone who sees both."""
    witness = load_witness(current_user, witness_id)
    if not {FieldGroup.CONTACT, FieldGroup.LOCATION} <= visible_groups(current_user, witness):
        raise NotFound()
    return witness


def _preferences(pref: object, witness: Witness) -> dict:
    """The preferences as the caller may see them: contacts and the postal address only with their groups."""
    shaped = schemas.NotificationPreferences.of(pref).model_dump(mode="json")
    return filter_fields(shaped, visible_groups(current_user, witness), "notice_preferences")


@bp.get("/witnesses/<int:witness_id>/notification-preferences")
def get_preferences_api(witness_id: int) -> Response:
    require(Permission.NOTIFICATION_VIEW)
    witness = load_witness(current_user, witness_id)
    pref = operations.preferences_for(witness)
    audit.record("notification_preference.view", witness, actor=current_user)
    db.session.commit()
    return reply_json(_preferences(pref, witness))


@bp.put("/witnesses/<int:witness_id>/notification-preferences")
def put_preferences_api(witness_id: int) -> Response:
    require(Permission.NOTIFICATION_MANAGE)
    witness = _load_with_contacts(witness_id)
    data = body(schemas.NotificationPreferencesInput)
    opted_out = [str(kind) for kind in data.opted_out or []]
    pref = operations.set_preferences(current_user, witness, **data.model_dump() | {"opted_out": opted_out})
    db.session.commit()
    return reply_json(_preferences(pref, witness))


@bp.get("/witnesses/<int:witness_id>/notifications")
def list_notifications_api(witness_id: int) -> Response:
    require(Permission.NOTIFICATION_VIEW)
    witness = load_witness(current_user, witness_id)
    notices, next_after = keyset(sa.select(Notification).where(Notification.witness_id == witness.id),
                                 Notification.id, [(Notification.id, True)])
    return reply(page_of(schemas.Notification)(items=[schemas.Notification.of(n) for n in notices],
                                               next_after=next_after))


add_paths({
    "/witnesses/{witness_id}/notification-preferences": {
        "parameters": [id_param("witness_id")],
        "get": Op("How the witness wants to hear news (defaults if never set); contacts need identity access, "
                  "audited", {"200": schemas.NotificationPreferences}),
        "put": Op("Replace the witness's preferences", {"200": schemas.NotificationPreferences},
                  schemas.NotificationPreferencesInput),
    },
    "/witnesses/{witness_id}/notifications": {
        "parameters": [id_param("witness_id")],
        "get": Op("Notices to the witness, newest first", {"200": page_of(schemas.Notification)},
                  parameters=PAGE_PARAMETERS),
    },
})
