"""Reads of dates to avoid: a witness's list, and the conflicts of witnesses with a span of days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from .models import DateToAvoid


def dates_of(witness_id: int, *, include_removed: bool = False) -> list[DateToAvoid]:
    """The witness's dates to avoid, soonest first (removed ones last, when asked for)."""
    query = sa.select(DateToAvoid).where(DateToAvoid.witness_id == witness_id)
    if not include_removed:
        query = query.where(DateToAvoid.removed_at.is_(None))
    query = query.order_by(DateToAvoid.removed_at.is_not(None), DateToAvoid.first_day, DateToAvoid.id)
    return list(db.session.execute(query).scalars())


def avoided_between(witness_ids: Iterable[int], first_day: date, last_day: date) -> dict[int, list[DateToAvoid]]:
    """For each of the witnesses with a date to avoid overlapping first_day..last_day, those dates
    (one query, whatever the number of witnesses)."""
    ids = sorted(set(witness_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(DateToAvoid).where(
            DateToAvoid.witness_id.in_(ids),
            DateToAvoid.removed_at.is_(None),
            DateToAvoid.last_day >= first_day,
            DateToAvoid.first_day <= last_day,
        ).order_by(DateToAvoid.witness_id, DateToAvoid.first_day, DateToAvoid.id)
    ).scalars()
    found: dict[int, list[DateToAvoid]] = {}
    for row in rows:
        found.setdefault(row.witness_id, []).append(row)
    return found
