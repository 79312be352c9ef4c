"""The court calendar: a month or a week of the court events a user may see, filtered by court,
case and support person, with moved and cancelled events marked and double-bookings found.

A fixed number of queries whatever the number of events: the events (with their cases), the
attendance on them (with the people), and the filter choices.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from ..auth.models import User
from ..cases.models import Case
from ..dates import as_local
from ..extensions import db
from .models import Attendance, CourtEvent
from .operations import find_conflicts

UTC = ZoneInfo("UTC")


@dataclass
class CalendarEvent:
    event: CourtEvent
    local_start: datetime
    local_end: datetime
    # Display names of the support people booked into another overlapping event as well.
    double_booked: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)


@dataclass
class Day:
    on: date
    in_period: bool
    events: list[CalendarEvent] = field(default_factory=list)


@dataclass
class Calendar:
    view: str
    anchor: date
    start: date
    end: date  # exclusive
    weeks: list[list[Day]]
    previous: date
    next: date
    conflicts: int
    count: int


def period(view: str, anchor: date) -> tuple[date, date, date, date]:
    """The first and (exclusive) last day shown, and the anchors of the previous and next period."""
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=7), anchor - timedelta(days=7), anchor + timedelta(days=7)
    first = anchor.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    start = first - timedelta(days=first.weekday())
    last = following - timedelta(days=1)
    end = last + timedelta(days=7 - last.weekday())
    return start, end, previous, following


def build(
    case_ids: sa.Select, view: str, anchor: date, *, court: str | None = None, case_id: int | None = None,
    person_id: int | None = None,
) -> Calendar:
    start, end, previous, following = period(view, anchor)
    # Fetch a day either side: an event belongs to the day it falls on at its own court.
    query = (
        sa.select(CourtEvent)
        .join(Case, Case.id == CourtEvent.case_id)
        .options(contains_eager(CourtEvent.case))
        .where(
            CourtEvent.case_id.in_(case_ids),
            CourtEvent.starts_at < datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
            CourtEvent.ends_at > datetime.combine(start - timedelta(days=1), time.min, tzinfo=UTC),
        )
        .order_by(CourtEvent.starts_at, CourtEvent.id)
        .limit(1000)
    )
    if court:
        query = query.where(CourtEvent.court_name == court)
    if case_id is not None:
        query = query.where(CourtEvent.case_id == case_id)
    if person_id is not None:
        query = query.where(sa.exists().where(Attendance.event_id == CourtEvent.id, Attendance.user_id == person_id))
    events = list(db.session.execute(query).scalars())

    attendance = list(db.session.execute(
        sa.select(Attendance).where(Attendance.event_id.in_([e.id for e in events] or [-1]))
        .options(selectinload(Attendance.user)).order_by(Attendance.id)
    ).scalars()) if events else []
    by_id = {e.id: e for e in events}
    per_person: dict[int, list[CourtEvent]] = defaultdict(list)
    people_at: dict[int, list[str]] = defaultdict(list)
    names: dict[int, str] = {}
    for a in attendance:
        names[a.user_id] = a.user.display_name
        if by_id[a.event_id] not in per_person[a.user_id]:
            per_person[a.user_id].append(by_id[a.event_id])
        if a.user.display_name not in people_at[a.event_id]:
            people_at[a.event_id].append(a.user.display_name)
    double: dict[int, set[str]] = defaultdict(set)
    for user_id, their_events in per_person.items():
        for event_id in find_conflicts(their_events):
            double[event_id].add(names[user_id])

    days: dict[date, Day] = {}
    cursor = start
    while cursor < end:
        in_period = view == "week" or cursor.month == anchor.month
        days[cursor] = Day(on=cursor, in_period=in_period)
        cursor += timedelta(days=1)
    for event in events:
        tz = ZoneInfo(event.case.court_timezone)
        local_start, local_end = as_local(event.starts_at, tz), as_local(event.ends_at, tz)
        day = days.get(local_start.date())
        if day is None:
            continue
        day.events.append(CalendarEvent(event=event, local_start=local_start, local_end=local_end,
                                        double_booked=sorted(double.get(event.id, ())),
                                        people=people_at.get(event.id, [])))
    ordered = list(days.values())
    weeks = [ordered[i:i + 7] for i in range(0, len(ordered), 7)]
    conflicts = sum(1 for d in ordered for e in d.events if e.double_booked)
    return Calendar(view=view, anchor=anchor, start=start, end=end, weeks=weeks, previous=previous,
                    next=following, conflicts=conflicts,
                    count=sum(len(d.events) for d in ordered))


def filter_choices(case_ids: sa.Select) -> dict[str, list]:
    """Courts, cases and support people that appear in the visible cases, for the filter form."""
    courts = list(db.session.execute(
        sa.select(CourtEvent.court_name).where(CourtEvent.case_id.in_(case_ids)).distinct()
        .order_by(CourtEvent.court_name)
    ).scalars())
    cases = list(db.session.execute(
        sa.select(Case).where(Case.id.in_(case_ids)).order_by(Case.reference)
    ).scalars())
    people = list(db.session.execute(
        sa.select(User).join(Attendance, Attendance.user_id == User.id)
        .join(CourtEvent, CourtEvent.id == Attendance.event_id)
        .where(CourtEvent.case_id.in_(case_ids)).distinct().order_by(User.display_name)
    ).scalars())
    return {"courts": courts, "cases": cases, "people": people}
