"""Working-day arithmetic for notice deadlines, with the weekdays and holidays from settings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def add_working_days(
    start: datetime, days: int, *, tz: str, weekdays: Iterable[int], holidays: Iterable[str | date]
) -> datetime:
    """The same local time `days` working days after `start`, counted in the zone `tz`.

    A start on a non-working day counts the first working day after it as day one.
    """
    working = set(weekdays)
    off = {h if isinstance(h, date) else date.fromisoformat(h) for h in holidays}
    local = start.astimezone(ZoneInfo(tz))
    current = local
    remaining = days
    while remaining > 0:
        current = current + timedelta(days=1)
        if current.isoweekday() in working and current.date() not in off:
            remaining -= 1
    return current.astimezone(start.tzinfo)


def add_working_days_to_date(
    start: date, days: int, *, weekdays: Iterable[int], holidays: Iterable[str | date]
) -> date:
    working = set(weekdays)
    off = {h if isinstance(h, date) else date.fromisoformat(h) for h in holidays}
    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        if current.isoweekday() in working and current not in off:
            remaining -= 1
    return current
