"""Reminders of remedies, raised as tasks for the witness's liaison officer (the team inbox when
nobody is assigned): each key date of a claim before it falls, an award unpaid past its due date, a
residence permit 60 and 30 days before it expires, and an item the witness needs still held 30
days after their journey in the case closed.

Run by every pass of the notifications sweep (through its `sweep_started` signal) and by
`flask remedies remind`. Each task has a unique key, so a reminder is raised once however often
the pass runs; the queries skip reminders already raised, so a pass that finds nothing is cheap.
Due times are in the court's calendar: the working day before the date falls (WORKING_WEEKDAYS,
HOLIDAYS), at the close of business in the court's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from ..cases.models import Case, Journey, JourneyTransition, Stage
from ..db import utc_now
from ..extensions import db
from ..notifications.operations import responsible_for, today_in
from ..notifications.signals import sweep_started
from ..tasks.models import Task
from ..tasks.operations import create_task
from ..witnesses.models import Witness
from ..workdays import add_working_days_to_date
from .models import KEY_DATES, ClaimStatus, CompensationClaim, PropertyItem, ResidencePermit

CLOSE_OF_BUSINESS = time(17, 0)
PROPERTY_HELD_DAYS = 30  # after the case ends, an item the witness needs is chased
OPEN_CLAIM = (ClaimStatus.PREPARING, ClaimStatus.FILED, ClaimStatus.HEARD, ClaimStatus.AWARDED)


@dataclass
class Calendar:
    """The court's working days, from settings."""

    weekdays: frozenset[int]
    holidays: frozenset[date]

    @classmethod
    def from_config(cls) -> Calendar:
        config = current_app.config
        return cls(frozenset(config["WORKING_WEEKDAYS"]),
                   frozenset(h if isinstance(h, date) else date.fromisoformat(h) for h in config["HOLIDAYS"]))

    def working(self, day: date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.holidays

    def last_working_day_before(self, day: date) -> date:
        current = day - timedelta(days=1)
        for _ in range(366):  # a calendar with no working day at all is a settings mistake
            if self.working(current):
                return current
            current -= timedelta(days=1)
        return day - timedelta(days=1)

    def add(self, day: date, days: int) -> date:
        return add_working_days_to_date(day, days, weekdays=self.weekdays, holidays=self.holidays)


def _close_of(day: date, tz: str) -> datetime:
    return datetime.combine(day, CLOSE_OF_BUSINESS, tzinfo=ZoneInfo(tz))


def _key(*parts: Any) -> sa.ColumnElement[str]:
    """A task key built in SQL ('text' || CAST(column AS VARCHAR) || ...), to skip reminders already
    raised; a date column casts to its ISO form on both databases, as `date.isoformat()` writes it."""
    items = [sa.literal(part, sa.String) if isinstance(part, str) else sa.cast(part, sa.String) for part in parts]
    expression = items[0]
    for item in items[1:]:
        expression = expression + item
    return expression


def _not_raised(*parts: Any) -> sa.ColumnElement[bool]:
    return ~sa.exists().where(Task.dedup_key == _key(*parts))


def _tz(case_id: int | None, timezones: dict[int, str], default: str) -> str:
    return timezones.get(case_id, default) if case_id is not None else default


def _timezones(case_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {c for c in case_ids if c is not None}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Case.id, Case.court_timezone).where(Case.id.in_(ids))).all())


def _reference(witness_id: int) -> str:
    return db.session.execute(sa.select(Witness.reference).where(Witness.id == witness_id)).scalar_one()


def _task(witness_id: int, case_id: int | None, kind: str, title: str, due_at: datetime, key: str, *,
          urgent: bool = False, source: tuple[str, int]) -> bool:
    officer = responsible_for(witness_id, case_id)
    if officer is None:
        current_app.logger.error("no liaison officer or team inbox for a %s task", kind)
        return False
    create_task(officer, kind, title, due_at=due_at, witness_id=witness_id, case_id=case_id, urgent=urgent,
                source=source, dedup_key=key)
    return True


def claim_date_reminders(today: date, calendar: Calendar, default_tz: str) -> int:
    """A task for each key date of an open claim that falls within the reminder's working days."""
    horizon = calendar.add(today, int(current_app.config["REMEDY_REMINDER_WORKING_DAYS"]))
    raised = 0
    for field, words in KEY_DATES.items():
        column = getattr(CompensationClaim, field)
        rows = db.session.execute(
            sa.select(CompensationClaim.id, CompensationClaim.witness_id, CompensationClaim.case_id, column)
            .where(column >= today, column <= horizon, CompensationClaim.status.in_(OPEN_CLAIM),
                   _not_raised("claim-date:c", CompensationClaim.id, f":{field}:", column))
            .order_by(CompensationClaim.id)
        ).all()
        zones = _timezones(r.case_id for r in rows)
        for claim_id, witness_id, case_id, day in rows:
            if field == "payment_due_on" and db.session.get(CompensationClaim, claim_id).fully_paid:
                continue
            due = _close_of(calendar.last_working_day_before(day), _tz(case_id, zones, default_tz))
            raised += _task(witness_id, case_id, "remedy_claim_date",
                            f"Compensation claim of {_reference(witness_id)}: {words} on {day.isoformat()}",
                            due, f"claim-date:c{claim_id}:{field}:{day.isoformat()}", source=("claim", claim_id))
    return raised


def unpaid_award_reminders(today: date, calendar: Calendar, default_tz: str) -> int:
    """An urgent task for an award not fully paid after its due date (a due date on a day the
    court does not work runs to the next working day)."""
    raised = 0
    rows = db.session.execute(
        sa.select(CompensationClaim).where(
            CompensationClaim.payment_due_on < today, CompensationClaim.amount_awarded.is_not(None),
            CompensationClaim.status == ClaimStatus.AWARDED,
            _not_raised("award-unpaid:c", CompensationClaim.id, ":", CompensationClaim.payment_due_on),
        ).order_by(CompensationClaim.id)
    ).scalars().all()
    zones = _timezones(c.case_id for c in rows)
    for claim in rows:
        due_day = claim.payment_due_on
        while not calendar.working(due_day) and due_day < today:
            due_day += timedelta(days=1)
        if due_day >= today or claim.fully_paid:
            continue
        tz = _tz(claim.case_id, zones, default_tz)
        raised += _task(claim.witness_id, claim.case_id, "remedy_award_unpaid",
                        f"Award to {_reference(claim.witness_id)} unpaid since {claim.payment_due_on.isoformat()}: "
                        "chase the payer or enforce", _close_of(calendar.add(today, 1), tz),
                        f"award-unpaid:c{claim.id}:{claim.payment_due_on.isoformat()}", urgent=True,
                        source=("claim", claim.id))
    return raised


def permit_expiry_reminders(today: date, calendar: Calendar, default_tz: str) -> int:
    """At 60 and 30 days (PERMIT_REMINDER_DAYS) before a permit expires; only the nearest distance
    reached is raised (a permit recorded 20 days before expiry gets the 30-day reminder only)."""
    distances = sorted({int(d) for d in current_app.config["PERMIT_REMINDER_DAYS"]})
    if not distances:
        return 0
    rows = db.session.execute(
        sa.select(ResidencePermit.id, ResidencePermit.witness_id, ResidencePermit.case_id, ResidencePermit.expires_on)
        .where(ResidencePermit.expires_on >= today, ResidencePermit.expires_on <= today + timedelta(days=distances[-1]),
               # The nearest reminder raised: nothing is left to raise for this permit.
               _not_raised("permit-expiry:p", ResidencePermit.id, f":{distances[0]}d:", ResidencePermit.expires_on))
        .order_by(ResidencePermit.id)
    ).all()
    zones = _timezones(r.case_id for r in rows)
    raised = 0
    for permit_id, witness_id, case_id, expires_on in rows:
        days = next(d for d in distances if (expires_on - today).days <= d)
        key = f"permit-expiry:p{permit_id}:{days}d:{expires_on.isoformat()}"
        if db.session.execute(sa.select(Task.id).where(Task.dedup_key == key)).first():
            continue
        due = _close_of(calendar.last_working_day_before(expires_on), _tz(case_id, zones, default_tz))
        raised += _task(witness_id, case_id, "remedy_permit_expiry",
                        f"Residence permit of {_reference(witness_id)} expires on {expires_on.isoformat()} "
                        f"(in {(expires_on - today).days} days): arrange its renewal", due, key,
                        urgent=days == distances[0], source=("permit", permit_id))
    return raised


def held_property_reminders(today: date, calendar: Calendar, default_tz: str, now: datetime) -> int:
    """An item the witness needs, still held 30 days after their journey in its case closed (any
    of their cases when the item names none)."""
    closed_at = (
        sa.select(sa.func.max(JourneyTransition.at))
        .join(Journey, Journey.id == JourneyTransition.journey_id)
        .where(Journey.witness_id == PropertyItem.witness_id, Journey.stage == Stage.CLOSED,
               JourneyTransition.to_stage == Stage.CLOSED,
               sa.or_(PropertyItem.case_id.is_(None), Journey.case_id == PropertyItem.case_id))
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(PropertyItem, closed_at).where(
            PropertyItem.needed_urgently.is_(True), PropertyItem.returned_on.is_(None),
            _not_raised("property-held:i", PropertyItem.id),
        ).order_by(PropertyItem.id)
    ).all()
    zones = _timezones(item.case_id for item, _ in rows)
    raised = 0
    for item, ended in rows:
        if ended is None or ended > now - timedelta(days=PROPERTY_HELD_DAYS):
            continue
        tz = _tz(item.case_id, zones, default_tz)
        raised += _task(item.witness_id, item.case_id, "remedy_property_held",
                        f"{item.kind.replace('_', ' ').capitalize()} of {_reference(item.witness_id)} still held "
                        f"{PROPERTY_HELD_DAYS} days after the case: ask for its return",
                        _close_of(calendar.add(today, 5), tz), f"property-held:i{item.id}", urgent=True,
                        source=("property", item.id))
    return raised


def raise_reminders(today: date | None = None, now: datetime | None = None) -> int:
    """Every remedies reminder due today; flushes, never commits. Returns the tasks raised."""
    default_tz = current_app.config["NOTIFICATION_TIMEZONE"]
    today = today or today_in(default_tz)
    now = now or utc_now()
    calendar = Calendar.from_config()
    raised = (claim_date_reminders(today, calendar, default_tz) + unpaid_award_reminders(today, calendar, default_tz)
              + permit_expiry_reminders(today, calendar, default_tz)
              + held_property_reminders(today, calendar, default_tz, now))
    db.session.flush()
    return raised


def _on_sweep(today: date, *, now: datetime | None = None, **_: Any) -> None:
    raise_reminders(today, now)


def connect() -> None:
    sweep_started.connect(_on_sweep, weak=False)
