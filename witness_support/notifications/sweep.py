"""The sweep behind `flask notifications send-due`: find what is due, claim it, send it.

Safe to run from several app servers at once: a notice is claimed by one atomic
UPDATE ... WHERE status = 'pending' (its row count says who won) and committed before anything
is sent, so two sweeps never send the same notice. Only committed notices are ever seen, so
sending always happens after the commit that created the notice. This module is a boundary
(like a view or a CLI command): it commits.
"""

from __future__ import annotations

import functools
import os
import smtplib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..auth.models import User
from ..cases.models import Case, Defendant
from ..cases.queries import liaison_officer_for
from ..db import UTCDateTime, utc_now
from ..extensions import db
from ..outcomes.models import Outcome, ReleaseReminder
from ..outcomes.operations import raise_statement_reminders
from ..tasks.models import Task
from ..tasks.operations import create_task
from ..witnesses.models import AssignmentRole, Witness, WitnessAssignment
from . import channels
from .models import Channel, Kind, Notification, Status
from .operations import (
    BULK_EVENTS_PER_STATEMENT,
    CaseNotice,
    close_notice_tasks,
    guardians_of,
    insert_statement,
    notify_case_witnesses_in_bulk,
    preferences_for,
    responsible_for,
    team_inbox,
    today_in,
)
from .signals import sweep_started
from .texts import render


@dataclass
class SweepResult:
    sent: int = 0
    handed_to_officer: int = 0
    retrying: int = 0
    failed: int = 0
    escalated: int = 0
    reminders: int = 0
    statement_reminders: int = 0
    lost_claims: int = 0
    sent_ids: list[int] = field(default_factory=list)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:80]


# ---- finding what is due -----------------------------------------------------------------------


@functools.cache
def _due_statement(days: tuple[int, ...]) -> sa.Select | sa.CompoundSelect:
    """(outcome id, days, release date) for reminders due and not yet raised, with bound
    parameters `today` and `until_<d>` per distance; built once (building costs more than running)."""
    today = sa.bindparam("today", type_=sa.Date)
    selects = []
    for d in days:
        selects.append(
            sa.select(
                Outcome.id.label("outcome_id"),
                sa.literal(d).label("days"),
                Outcome.proposed_release_date.label("release_date"),
            ).where(
                Outcome.proposed_release_date > today,
                Outcome.proposed_release_date <= sa.bindparam(f"until_{d}", type_=sa.Date),
                # Not an expanding IN: its list would be rendered into the SQL again on every run.
                sa.or_(Outcome.custody.is_(None), Outcome.custody == "recalled", Outcome.custody == "transferred"),
                ~sa.exists().where(
                    ReleaseReminder.outcome_id == Outcome.id,
                    ReleaseReminder.days == d,
                    ReleaseReminder.release_date == Outcome.proposed_release_date,
                ),
            )
        )
    return sa.union_all(*selects) if len(selects) > 1 else selects[0]


def _distances() -> tuple[int, ...]:
    return tuple(sorted(set(current_app.config["RELEASE_REMINDER_DAYS"])))


def _due_params(today: date, days: tuple[int, ...]) -> dict[str, date]:
    return {"today": today, **{f"until_{d}": today + timedelta(days=d) for d in days}}


def due_release_reminders_query(today: date, days: list[int]) -> sa.Select | sa.CompoundSelect:
    """The reminders due and not yet raised, as a statement with its values bound.

    One indexed range on outcomes.proposed_release_date per reminder distance, each checked
    against release_reminders by its unique index; bench/sweep.py times exactly this query.
    """
    key = tuple(sorted(set(days)))
    return _due_statement(key).params(_due_params(today, key))


def due_release_reminders(today: date) -> list[sa.Row[tuple[int, int, date]]]:
    """(outcome id, days, release date) of every release reminder the next sweep would raise, at
    the configured distances, as committed now; changes nothing. A Core statement on a connection
    of its own, without the ORM session's machinery (bench/run.py times this call)."""
    distances = _distances()
    with db.engine.connect() as connection:
        return list(connection.execute(_due_statement(distances), _due_params(today, distances)).all())


# What a release notice says and where the court sits, for the outcomes whose reminders were raised.
_OUTCOMES_TO_TELL = (
    sa.select(Outcome.id, Outcome.case_id, Defendant.name, Case.court_timezone)
    .join(Defendant, Defendant.id == Outcome.defendant_id)
    .join(Case, Case.id == Outcome.case_id)
    .where(Outcome.id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(Outcome.id)
)


@functools.cache
def _any_due_statement(days: tuple[int, ...]) -> sa.Select | sa.CompoundSelect:
    """Whether any reminder is due (the first one found), with `_due_statement`'s parameters."""
    return _due_statement(days).limit(1)


@functools.cache
def _record_statement(dialect_name: str, days: tuple[int, ...]) -> sa.Insert:
    """The INSERT ... SELECT that records every release reminder due (the sweep's search over all
    outcomes) ON CONFLICT DO NOTHING, RETURNING those this statement recorded; built once, with
    the bound parameters of `_due_statement` and `now`, per database kind (each has its own
    INSERT ... ON CONFLICT construct)."""
    due = _due_statement(days).subquery("due")
    table = ReleaseReminder.__table__
    return (
        insert_statement(table, dialect_name)
        .from_select(
            ["outcome_id", "days", "release_date", "created_at"],
            # WHERE true: SQLite needs a WHERE before an upsert's ON CONFLICT after INSERT ... SELECT.
            sa.select(due.c.outcome_id, due.c.days, due.c.release_date, sa.bindparam("now", type_=UTCDateTime))
            .where(sa.true())
            .order_by(due.c.outcome_id, due.c.days),  # one order for all sweeps: no deadlock between them
        )
        .on_conflict_do_nothing(index_elements=["outcome_id", "days", "release_date"])
        .returning(table.c.outcome_id, table.c.days, table.c.release_date)
    )


def raise_release_reminders(today: date) -> int:
    """Queue release-upcoming notices; only the smallest distance reached counts (no 30-day
    notice a week before release when both are due at once). Returns the notices queued.

    Set-based, in a fixed number of statements however many are due: one INSERT ... SELECT records
    every reminder due ON CONFLICT DO NOTHING RETURNING those this sweep recorded (an outcome whose
    reminders a concurrent sweep recorded first is that sweep's to tell: the second one waits on
    the first's rows, then inserts none of them), one SELECT reads those outcomes' cases, court
    time zones and defendants, then `notify_case_witnesses_in_bulk` queues the notices. Commits.

    It reads before it writes: most passes (cron runs the sweep every minute, on every host) find
    nothing due, and a SELECT takes no write lock, where even an INSERT that inserts nothing holds
    SQLite's one writer lock until its commit. A reminder that falls due between the read and the
    next pass is raised by that pass.
    """
    now, distances = utc_now(), _distances()
    params = _due_params(today, distances)
    # Through the session's connection: Core statements, without the ORM's execution machinery.
    connection = db.session.connection()
    if connection.execute(_any_due_statement(distances), params).first() is None:
        db.session.commit()
        return 0
    record = _record_statement(connection.dialect.name, distances)
    nearest: dict[int, tuple[int, date]] = {}
    recorded = connection.execute(record, {**params, "now": now}).all()
    for outcome_id, days, release_date in recorded:
        if outcome_id not in nearest or days < nearest[outcome_id][0]:
            nearest[outcome_id] = (days, release_date)
    events = []
    won = sorted(nearest)
    for start in range(0, len(won), BULK_EVENTS_PER_STATEMENT):
        for outcome_id, case_id, offender, court_timezone in db.session.execute(
            _OUTCOMES_TO_TELL, {"ids": won[start:start + BULK_EVENTS_PER_STATEMENT]}
        ):
            days, release_date = nearest[outcome_id]
            events.append(CaseNotice(
                case_id=case_id,
                key=f"release-upcoming:o{outcome_id}:{days}d:{release_date.isoformat()}",
                context={"offender": offender, "release_date": release_date.isoformat(),
                         "days": (release_date - today).days},
                court_timezone=court_timezone,
            ))
    queued = notify_case_witnesses_in_bulk(Kind.RELEASE_UPCOMING, events, triggered_at=now)
    db.session.commit()
    return queued


@functools.cache
def _safety_planning_statement(dialect_name: str) -> sa.Insert:
    """One INSERT ... SELECT of a safety-planning task per release notice queued since `since`, for
    the witness's liaison officer (else the team inbox, bound as `team`), ON CONFLICT DO NOTHING
    on the task's key: a fixed number of statements however many are told, and each once."""
    notices, tasks = Notification.__table__, Task.__table__
    officer = (
        sa.select(WitnessAssignment.user_id)
        .join(User, User.id == WitnessAssignment.user_id)
        .where(WitnessAssignment.witness_id == notices.c.witness_id,
               WitnessAssignment.role == AssignmentRole.LIAISON_OFFICER,
               WitnessAssignment.active_clause(), User.active.is_(True))
        .order_by(WitnessAssignment.id).limit(1).scalar_subquery()
    )
    rows = (
        sa.select(
            sa.func.coalesce(officer, sa.bindparam("team", type_=sa.Integer)),
            notices.c.witness_id, notices.c.case_id, sa.literal("safety_planning", sa.String),
            sa.func.substr(sa.literal("Plan the safety of ", sa.String) + Witness.reference
                           + sa.literal(": a defendant's release is approaching", sa.String), 1, 300),
            notices.c.deadline_at, sa.literal(False, sa.Boolean), sa.literal("notification", sa.String),
            notices.c.id, sa.func.substr(sa.literal("safety-planning:", sa.String) + notices.c.dedup_key, 1, 200),
            sa.bindparam("now", type_=UTCDateTime), sa.literal("", sa.String),
        )
        .join(Witness, Witness.id == notices.c.witness_id)
        .where(notices.c.kind == Kind.RELEASE_UPCOMING,
               notices.c.created_at >= sa.bindparam("since", type_=UTCDateTime),
               sa.func.coalesce(officer, sa.bindparam("team", type_=sa.Integer)).is_not(None))
        .order_by(notices.c.id)
    )
    return (
        insert_statement(tasks, dialect_name)
        .from_select(["assignee_id", "witness_id", "case_id", "kind", "title", "due_at", "urgent", "source_type",
                      "source_id", "dedup_key", "created_at", "note"], rows)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
    )


def raise_safety_planning(now: datetime) -> None:
    """A release approaching: each witness told (in the last two days: a sweep runs every minute)
    gets a safety-planning task for their officer. Commits."""
    team = team_inbox()
    connection = db.session.connection()
    connection.execute(_safety_planning_statement(connection.dialect.name), {
        "since": now - timedelta(days=2), "now": utc_now(), "team": team.id if team is not None else None,
    })
    db.session.commit()


def due_notice_ids(now: datetime, limit: int = 200) -> list[int]:
    return list(
        db.session.execute(
            sa.select(Notification.id)
            .where(Notification.status == Status.PENDING, Notification.next_attempt_at <= now)
            .order_by(Notification.deadline_at, Notification.id)
            .limit(limit)
        ).scalars()
    )


def claim(notice_id: int, worker: str) -> bool:
    """Atomically take a pending notice; False if another sweep took it first. Commits."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notice_id, Notification.status == Status.PENDING)
        .values(status=Status.SENDING, claimed_by=worker, claimed_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


# ---- delivering one notice ---------------------------------------------------------------------


def _officer_task(notice: Notification, kind: str, title: str, *, urgent: bool, due_at: datetime | None,
                  key: str) -> int | None:
    # The team inbox when the witness's officer has left: never nobody.
    officer = responsible_for(notice.witness_id, notice.case_id)
    if officer is None:
        current_app.logger.error("notice %s: no liaison officer to raise a %s task for", notice.id, kind)
        return None
    task = create_task(
        officer, kind, title, due_at=due_at, witness_id=notice.witness_id, case_id=notice.case_id,
        urgent=urgent, source=("notification", notice.id), dedup_key=key,
    )
    return task.id


def deliver(notice: Notification) -> str:
    """Render and deliver a claimed notice; returns the new status. Raises on a transport failure."""
    witness = db.session.get(Witness, notice.witness_id)
    pref = preferences_for(witness)
    officer = liaison_officer_for(notice.witness_id, notice.case_id)
    values = {
        **(notice.context or {}),
        "officer_name": officer.display_name if officer else "",
        "officer_phone": current_app.config["LIAISON_OFFICE_PHONE"],
    }
    if values.get("compensation_for") != notice.witness_id:
        # A compensation order is told only to the witness it is for.
        values["compensation_amount"] = ""
    language = pref.language
    addresses: list[str] = []
    if witness.is_child:
        # A child is told through their guardian (whose own account is a safe channel).
        guardians = [g for g in guardians_of(witness) if g.email]
        channel, recipient, minimal = (Channel.EMAIL, "guardian", False) if guardians else (
            Channel.IN_PERSON, "witness", False)
        addresses = [g.email for g in guardians]
    else:
        channel = pref.channel
        recipient = "third_party" if pref.third_party_name else "witness"
        # SMS may be read by anyone holding the phone: never more than "there is news".
        minimal = channel == Channel.SMS or (channel in (Channel.EMAIL, Channel.LETTER) and not pref.contact_is_safe)
        if channel == Channel.IN_PERSON:
            minimal = False
        if channel == Channel.EMAIL:
            addresses = [pref.email]
        elif channel == Channel.SMS:
            addresses = [pref.phone]
        if channel in (Channel.EMAIL, Channel.SMS) and not all(addresses):
            channel, minimal = Channel.IN_PERSON, False
    subject, body, used, fallback = render(notice.kind, language, values, minimal=minimal)
    notice.channel, notice.recipient, notice.minimal = channel, recipient, minimal
    notice.language, notice.language_fallback = used, fallback
    notice.subject, notice.body = subject[:200], body
    if fallback:
        _officer_task(
            notice, "notice_translation",
            f"Notice for {witness.reference} went out in English: no '{language}' text for {notice.kind}. "
            "Explain it to them in their language.",
            urgent=False, due_at=notice.deadline_at, key=f"notice-translation:{notice.id}",
        )
    if channel == Channel.EMAIL:
        for address in addresses:
            channels.send_by_email(address, subject, body)
        return Status.SENT
    if channel == Channel.SMS:
        channels.send_by_sms(addresses[0], body)
        return Status.SENT
    if channel == Channel.LETTER:
        return Status.AWAITING_OFFICER  # in the print queue until the officer marks it posted
    _officer_task(
        notice, "deliver_notice", f"Tell {witness.reference} in person: {notice.kind.replace('_', ' ')} news",
        urgent=notice.kind in (Kind.ESCAPED, Kind.RELEASED, Kind.AT_LARGE), due_at=notice.deadline_at,
        key=f"deliver-notice:{notice.id}",
    )
    return Status.AWAITING_OFFICER


def _send_one(notice_id: int, now: datetime, result: SweepResult) -> None:
    notice = db.session.get(Notification, notice_id)
    config = current_app.config
    notice.attempts += 1
    try:
        status = deliver(notice)
    except (OSError, smtplib.SMTPException) as exc:
        # The exception type only: the message could echo an address.
        notice.last_error = type(exc).__name__
        if notice.attempts >= int(config["NOTIFICATION_MAX_ATTEMPTS"]):
            notice.status = Status.FAILED
            result.failed += 1
        else:
            backoff = int(config["NOTIFICATION_RETRY_BASE_SECONDS"]) * 2 ** (notice.attempts - 1)
            notice.status = Status.PENDING
            notice.next_attempt_at = now + timedelta(seconds=backoff)
            result.retrying += 1
        audit.record("notification.attempt_failed", notice, details={"error": notice.last_error,
                                                                     "attempt": notice.attempts})
        db.session.commit()
        return
    notice.status = status
    notice.last_error = None
    if status == Status.SENT:
        notice.sent_at = utc_now()
        close_notice_tasks(notice)  # a late success answers the urgent task raised meanwhile
        result.sent += 1
        result.sent_ids.append(notice.id)
    else:
        result.handed_to_officer += 1
    audit.record("notification.deliver", notice, details={"status": status, "channel": notice.channel,
                                                          "minimal": notice.minimal})
    db.session.commit()


# ---- watching the deadlines --------------------------------------------------------------------


def escalate_undelivered(now: datetime) -> tuple[int, int]:
    """Abandoned claims become failed; anything undelivered close to its deadline becomes an
    urgent task for the liaison officer. Returns (escalated, abandoned claims)."""
    config = current_app.config
    stale = now - timedelta(minutes=int(config["NOTIFICATION_CLAIM_TIMEOUT_MINUTES"]))
    # Never resent blindly: the crashed sweep may have sent it. The officer checks.
    lost = db.session.execute(
        sa.update(Notification)
        .where(Notification.status == Status.SENDING, Notification.claimed_at < stale)
        .values(status=Status.FAILED, last_error="claim abandoned; check whether it arrived")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    horizon = now + timedelta(minutes=int(config["NOTIFICATION_URGENT_BEFORE_MINUTES"]))
    late = db.session.execute(
        sa.select(Notification).where(
            Notification.urgent_task_id.is_(None),
            sa.or_(
                Notification.status == Status.FAILED,
                sa.and_(
                    Notification.status.in_([Status.PENDING, Status.SENDING, Status.AWAITING_OFFICER]),
                    Notification.deadline_at <= horizon,
                ),
            ),
        ).order_by(Notification.deadline_at).limit(500)
    ).scalars().all()
    escalated = 0
    for notice in late:
        reference = db.session.execute(sa.select(Witness.reference).where(Witness.id == notice.witness_id)).scalar()
        task_id = _officer_task(
            notice, "notice_undelivered",
            f"Notice to {reference} not delivered ({notice.kind.replace('_', ' ')}): deliver it before the deadline",
            urgent=True, due_at=notice.deadline_at, key=f"notice-undelivered:{notice.id}",
        )
        if task_id is not None:
            notice.urgent_task_id = task_id
            escalated += 1
    db.session.commit()
    return escalated, lost


def send_due(
    *,
    now: datetime | None = None,
    worker: str | None = None,
    limit: int = 200,
    on_candidates: Callable[[list[int]], None] | None = None,
) -> SweepResult:
    """One pass: reminders due today, then every due notice this sweep manages to claim, then
    the deadline watch. `on_candidates` sees the ids found due before any is claimed (the
    concurrency tests use it to make two sweeps race for the same notices)."""
    now = now or utc_now()
    worker = worker or worker_name()
    result = SweepResult()
    today = today_in(current_app.config["NOTIFICATION_TIMEZONE"])
    result.reminders = raise_release_reminders(today)
    if result.reminders:
        raise_safety_planning(now)
    try:
        result.statement_reminders = raise_statement_reminders(today)
        db.session.commit()
    except sa.exc.IntegrityError:
        # Another sweep raised the same reminder task first (unique dedup_key); it stands.
        db.session.rollback()
    try:
        # Other areas raise their own reminders (remedies: claim dates, permits, held property).
        sweep_started.send(today, now=now)
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
    # Reminders raised a moment ago by this very pass are due too.
    candidates = due_notice_ids(max(now, utc_now()), limit)
    if on_candidates is not None:
        on_candidates(candidates)
    for notice_id in candidates:
        if not claim(notice_id, worker):
            result.lost_claims += 1
            continue
        _send_one(notice_id, now, result)
    result.escalated, _ = escalate_undelivered(now)
    return result
