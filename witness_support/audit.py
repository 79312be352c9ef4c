"""The audit trail: one record(...) call used by every operation, reads of identity included.

The trail never holds identifying data itself: it names objects by type and id (and the
witness by id), so that the trail can be shown to admins who are not assigned to anyone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from . import append_only
from .db import UTCDateTime, utc_now
from .extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    witness_id: Mapped[int | None] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor = db.relationship("User", foreign_keys=[actor_id])

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.object_type}:{self.object_id}>"


# The trail is only ever added to: the database refuses UPDATE and DELETE (migration 0008 too).
append_only.protect(AuditEvent.__table__, function="audit_refuse_change", message="the audit trail is never changed")


def _acting(actor: Any) -> Any:
    """The actor given, else the signed-in user of the current request (None from the CLI)."""
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        return current_user
    return actor


def record(
    action: str,
    obj: Any = None,
    *,
    actor: Any = None,
    witness_id: int | None = None,
    details: dict[str, Any] | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the session; the caller's commit makes it durable with the change."""
    actor = _acting(actor)
    if obj is not None:
        object_type = object_type or getattr(obj, "__audit_type__", type(obj).__name__.lower())
        if object_id is None:
            object_id = getattr(obj, "id", None)
        if witness_id is None:
            witness_id = getattr(obj, "audit_witness_id", None)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or "system",
        object_id=object_id,
        witness_id=witness_id,
        ip=request.remote_addr if has_request_context() else None,
        details=details or {},
    )
    db.session.add(event)
    return event


EVENT_COLUMNS = ("action", "object_type", "object_id", "witness_id", "details")


def insert_found(events: sa.Select | sa.CompoundSelect) -> sa.Insert:
    """The INSERT of `record_found`: one audit event per row of `events`, a SELECT of the
    EVENT_COLUMNS (labelled so, in that order). Build it once and keep it (the statement is cached)."""
    found = events.subquery("found")
    return AuditEvent.__table__.insert().from_select(
        ["at", "actor_id", "ip", *EVENT_COLUMNS],
        sa.select(sa.bindparam("at", type_=UTCDateTime), sa.bindparam("actor_id", type_=sa.Integer),
                  sa.bindparam("ip", type_=sa.String), *(found.c[name] for name in EVENT_COLUMNS)),
    )


def record_found(insert: sa.Insert, params: dict[str, Any], *, actor: Any = None) -> None:
    """Add the audit events the database finds itself (`insert_found`), in one statement, for
    sweeps that change many rows at once; actor and ip default as in `record`. Executed at once
    (not added to the session): the caller's commit makes them durable with the change."""
    db.session.execute(insert, {
        "at": utc_now(), "actor_id": getattr(_acting(actor), "id", None),
        "ip": request.remote_addr if has_request_context() else None, **params,
    })
