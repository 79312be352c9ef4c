"""Follow-up of sustainable protection, raised as tasks for the witness's liaison officer (else
whoever sent the referral or last set the need): a referral the organisation has not answered by
its answer date, and a service-plan need whose review date comes within
SERVICE_REVIEW_REMINDER_WORKING_DAYS working days.

Run by every pass of the notifications sweep (the notifications package connects `raise_due_tasks`
to its `sweep_started` signal: services sits below notifications and does not import it) and by
`flask services remind`. Each task has a unique key and the queries skip the reminders already
raised, so a second pass raises nothing and costs two statements. Due times are in the court's
calendar (WORKING_WEEKDAYS, HOLIDAYS): close of business in the zone of the witness's open case
(NOTIFICATION_TIMEZONE when they have none).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from ..auth.models import User
from ..cases.models import Case, Journey, Stage
from ..cases.queries import liaison_officer_for
from ..db import utc_now
from ..extensions import db
from ..tasks.models import Task
from ..tasks.operations import create_task
from ..witnesses.models import Witness
from ..workdays import add_working_days, add_working_days_to_date
from .models import OPEN_NEED_STATUSES, Organisation, Referral, ReferralStatus, ServiceNeed, service_words

CLOSE_OF_BUSINESS = time(17, 0)


def _calendar() -> tuple[frozenset[int], frozenset[date]]:
    config = current_app.config
    return (frozenset(config["WORKING_WEEKDAYS"]),
            frozenset(h if isinstance(h, date) else date.fromisoformat(h) for h in config["HOLIDAYS"]))


def _working(day: date, weekdays: frozenset[int], holidays: frozenset[date]) -> bool:
    return day.isoweekday() in weekdays and day not in holidays


def working_day_on_or_before(day: date) -> date:
    """`day` when the court works then, else the last working day before it."""
    weekdays, holidays = _calendar()
    current = day
    for _ in range(366):  # a calendar without any working day is a settings mistake
        if _working(current, weekdays, holidays):
            return current
        current -= timedelta(days=1)
    return day


def add_court_working_days(day: date, days: int) -> date:
    weekdays, holidays = _calendar()
    return add_working_days_to_date(day, days, weekdays=weekdays, holidays=holidays)


def timezones_of(witness_ids: Iterable[int]) -> dict[int, str]:
    """The court's time zone of each witness's open case (their first, by journey); one statement."""
    ids = sorted(set(witness_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Journey.witness_id, Case.court_timezone).join(Case, Case.id == Journey.case_id)
        .where(Journey.witness_id.in_(ids), Journey.stage != Stage.CLOSED).order_by(Journey.id.desc())
    ).all()
    return dict(rows)  # later rows (older journeys) win: the first case the witness joined


def answer_due(witness_id: int, sent_at: datetime) -> datetime:
    """When an organisation's answer to a referral sent at `sent_at` is due: REFERRAL_RESPONSE_DAYS
    working days later, counted in the court's calendar."""
    weekdays, holidays = _calendar()
    tz = timezones_of([witness_id]).get(witness_id, current_app.config["NOTIFICATION_TIMEZONE"])
    return add_working_days(sent_at, int(current_app.config["REFERRAL_RESPONSE_DAYS"]), tz=tz,
                            weekdays=weekdays, holidays=holidays)


def _close_of(day: date, tz: str) -> datetime:
    return datetime.combine(day, CLOSE_OF_BUSINESS, tzinfo=ZoneInfo(tz))


def _not_raised(prefix: str, *parts: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """No task yet with the key prefix + parts (joined by '-'), built in SQL; a date column casts
    to its ISO form on both databases, as `date.isoformat()` writes it."""
    key: sa.ColumnElement[str] = sa.literal(prefix, sa.String)
    for index, part in enumerate(parts):
        if index:
            key = key + sa.literal("-", sa.String)
        key = key + sa.cast(part, sa.String)
    return ~sa.exists().where(Task.dedup_key == key)


def _officer(witness_id: int, fallback_id: int | None) -> User | None:
    officer = liaison_officer_for(witness_id)
    if officer is None and fallback_id is not None:
        officer = db.session.get(User, fallback_id)
    return officer if officer is not None and officer.active else None


def unanswered_referral_tasks(now: datetime, today: date, default_tz: str) -> int:
    """A task to chase each sent referral whose answer date has passed, due at the close of the
    next working day."""
    rows = db.session.execute(
        sa.select(Referral.id, Referral.witness_id, Referral.created_by_id, Witness.reference, Organisation.name)
        .join(Witness, Witness.id == Referral.witness_id)
        .join(Organisation, Organisation.id == Referral.organisation_id)
        .where(Referral.status == ReferralStatus.SENT, Referral.answered_at.is_(None), Referral.respond_by < now,
               _not_raised("referral-unanswered-", Referral.id))
        .order_by(Referral.id)
    ).all()
    zones = timezones_of(r.witness_id for r in rows)
    raised = 0
    for referral_id, witness_id, created_by_id, reference, organisation in rows:
        officer = _officer(witness_id, created_by_id)
        if officer is None:
            current_app.logger.error("nobody to chase an unanswered referral (referral %s)", referral_id)
            continue
        due = _close_of(add_court_working_days(today, 1), zones.get(witness_id, default_tz))
        create_task(officer, "referral_unanswered",
                    f"{reference}: no answer from {organisation} to referral #{referral_id}: chase it",
                    due_at=due, witness_id=witness_id, source=("referral", referral_id),
                    dedup_key=f"referral-unanswered-{referral_id}")
        raised += 1
    return raised


def need_review_tasks(today: date, default_tz: str) -> int:
    """A task for each open need whose review date falls within the reminder's working days (or
    has passed), due at the close of the last working day on or before the review date."""
    horizon = add_court_working_days(today, int(current_app.config["SERVICE_REVIEW_REMINDER_WORKING_DAYS"]))
    rows = db.session.execute(
        sa.select(ServiceNeed.id, ServiceNeed.witness_id, ServiceNeed.service, ServiceNeed.review_on,
                  ServiceNeed.updated_by_id, Witness.reference)
        .join(Witness, Witness.id == ServiceNeed.witness_id)
        .where(ServiceNeed.review_on <= horizon, ServiceNeed.status.in_(sorted(OPEN_NEED_STATUSES)),
               _not_raised("service-need-review-", ServiceNeed.id, ServiceNeed.review_on))
        .order_by(ServiceNeed.id)
    ).all()
    zones = timezones_of(r.witness_id for r in rows)
    raised = 0
    for need_id, witness_id, service, review_on, updated_by_id, reference in rows:
        officer = _officer(witness_id, updated_by_id)
        if officer is None:
            current_app.logger.error("nobody to review a service need (need %s)", need_id)
            continue
        due = _close_of(max(working_day_on_or_before(review_on), today), zones.get(witness_id, default_tz))
        create_task(officer, "service_need_review",
                    f"{reference}: review {service_words(service)} in the service plan by {review_on.isoformat()}",
                    due_at=due, witness_id=witness_id, source=("service_need", need_id),
                    dedup_key=f"service-need-review-{need_id}-{review_on.isoformat()}")
        raised += 1
    return raised


def raise_due_tasks(today: date | None = None, now: datetime | None = None) -> dict[str, int]:
    """Every services reminder due now; flushes, never commits. Returns the tasks raised by kind."""
    default_tz = current_app.config["NOTIFICATION_TIMEZONE"]
    now = now or utc_now()
    today = today or now.astimezone(ZoneInfo(default_tz)).date()
    counts = {"unanswered_referrals": unanswered_referral_tasks(now, today, default_tz),
              "need_reviews": need_review_tasks(today, default_tz)}
    db.session.flush()
    return counts
