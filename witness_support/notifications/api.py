"""API routes for a witness's notification preferences and the notices sent to them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response
from flask_login import current_user

from .. import audit
from ..api import body, bp, reply, require
from ..api.openapi import Op, add_paths, id_param
from ..api.schemas import items_of
from ..errors import NotFound
from ..extensions import db
from ..permissions import Permission, can_view_identity
from ..witnesses.models import Witness
from ..witnesses.queries import load_witness
from . import operations, schemas
from .models import Notification


def _load_with_contacts(witness_id: int) -> Witness:
    """Preferences hold safe addresses and numbers: identity-level need-to-know."""
    witness = load_witness(current_user, witness_id)
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
    return reply(schemas.NotificationPreferences.of(pref))


@bp.put("/witnesses/<int:witness_id>/notification-preferences")
def put_preferences_api(witness_id: int) -> Response:
    require(Permission.NOTIFICATION_MANAGE)
    witness = _load_with_contacts(witness_id)
    data = body(schemas.NotificationPreferencesInput)
    opted_out = [str(kind) for kind in data.opted_out or []]
    pref = operations.set_preferences(current_user, witness, **data.model_dump() | {"opted_out": opted_out})
    db.session.commit()
    return reply(schemas.NotificationPreferences.of(pref))


@bp.get("/witnesses/<int:witness_id>/notifications")
def list_notifications_api(witness_id: int) -> Response:
    require(Permission.NOTIFICATION_VIEW)
    witness = load_witness(current_user, witness_id)
    notices = db.session.execute(
        sa.select(Notification).where(Notification.witness_id == witness.id).order_by(Notification.id.desc()).limit(500)
    ).scalars()
    return reply(items_of(schemas.Notification)(items=[schemas.Notification.of(n) for n in notices]))


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
        "get": Op("Notices to the witness, newest first", {"200": items_of(schemas.Notification)}),
    },
})
