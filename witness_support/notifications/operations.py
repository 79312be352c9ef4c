"""The rules of notices: preferences, queueing with a de-duplication key, deadlines, routing.

Any area calls `queue_notice(...)` (or `notify_case_witnesses` / `notify_hearing_change`) inside
its own transaction; nothing is sent then. The sweep (`sweep.send_due`) sends committed notices
only, so a rolled-back change never reaches a victim.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from .. import audit
from ..access import first_visible, has_broad_caseload, user_parameter
from ..auth.models import User
from ..cases.models import Case, Journey, Stage
from ..cases.queries import liaison_officer_for
from ..custody.models import CustodyEvent, Enrolment
from ..db import JsonRows, UTCDateTime, json_object, today_utc, utc_now
from ..errors import ValidationFailed
from ..extensions import db
from ..outcomes.models import Outcome
from ..permissions import Role
from ..tasks.models import Task
from ..witnesses.models import AssignmentRole, Witness, WitnessAssignment
from ..workdays import add_working_days
from .models import AFTER_CASE_KINDS, Channel, Kind, Notification, NotificationPreference, Status
from .texts import language_code

PREFERENCE_FIELDS = (
    "channel", "language", "opted_out", "email", "phone", "postal_address", "contact_is_safe", "third_party_name",
)


# ---- who looks after a witness -----------------------------------------------------------------


def team_inbox() -> User | None:
    """Who receives the aftercare of a witness nobody is assigned to any more: the account named by
    AFTERCARE_TEAM_EMAIL, else the longest-serving active liaison officer."""
    email = (current_app.config.get("AFTERCARE_TEAM_EMAIL") or "").strip().lower()
    if email:
        named = db.session.execute(
            sa.select(User).where(sa.func.lower(User.email) == email, User.active.is_(True))
        ).scalar_one_or_none()
        if named is not None:
            return named
    return db.session.execute(
        sa.select(User)
        .where(User.active.is_(True), User.role == Role.LIAISON_OFFICER)
        .order_by(User.id)
        .limit(1)
    ).scalar_one_or_none()


@functools.cache
def _team_inbox() -> sa.ScalarSelect[int]:
    named = (sa.select(User.id).where(sa.func.lower(User.email) == sa.bindparam("team_email", type_=sa.String),
                                      User.active.is_(True)).limit(1).scalar_subquery())
    longest = (sa.select(User.id).where(User.active.is_(True), User.role == Role.LIAISON_OFFICER)
               .order_by(User.id).limit(1).scalar_subquery())
    return sa.func.coalesce(named, longest)


def team_inbox_clause() -> tuple[sa.ColumnElement[int], dict[str, str]]:
    """team_inbox()'s id, by the same rules, as a column (built once) and its bound parameters: the
    home page asks it with its other facts in one statement."""
    return _team_inbox(), {"team_email": (current_app.config.get("AFTERCARE_TEAM_EMAIL") or "").strip().lower()}


def team_inbox_id() -> int | None:
    """team_inbox()'s id, by the same rules, from one statement built once."""
    clause, params = team_inbox_clause()
    return db.session.connection().execute(sa.select(clause), params).scalar()


def responsible_for(witness_id: int, case_id: int | None = None) -> User | None:
    """The witness's liaison officer, or the team inbox when their officer has left: never nobody
    while the service has an active officer."""
    return liaison_officer_for(witness_id, case_id) or team_inbox()


def guardians_of(witness: Witness) -> list[User]:
    return list(
        db.session.execute(
            sa.select(User)
            .join(WitnessAssignment, WitnessAssignment.user_id == User.id)
            .where(
                WitnessAssignment.witness_id == witness.id,
                WitnessAssignment.role == AssignmentRole.GUARDIAN,
                WitnessAssignment.active_clause(),
                User.active.is_(True),
            )
            .order_by(WitnessAssignment.id)
        ).scalars()
    )


# ---- preferences -------------------------------------------------------------------------------


def preferences_for(witness: Witness) -> NotificationPreference:
    """The stored preferences, or unsaved defaults: in person, in the witness's own language."""
    pref = db.session.execute(
        sa.select(NotificationPreference).where(NotificationPreference.witness_id == witness.id)
    ).scalar_one_or_none()
    if pref is not None:
        return pref
    return NotificationPreference(
        witness_id=witness.id,
        channel=Channel.IN_PERSON,
        language=language_code(witness.preferred_language) or (witness.preferred_language or "en")[:10],
        opted_out=[],
        email="",
        phone="",
        postal_address="",
        contact_is_safe=False,
        third_party_name="",
    )


def set_preferences(actor: User, witness: Witness, **fields: Any) -> NotificationPreference:
    """Replace the witness's preferences; a channel needs the contact it uses."""
    unknown = set(fields) - set(PREFERENCE_FIELDS)
    if unknown:
        raise ValidationFailed(dict.fromkeys(unknown, "Unknown field."))
    pref = preferences_for(witness)
    values = {name: getattr(pref, name) for name in PREFERENCE_FIELDS}
    values.update({k: v for k, v in fields.items() if v is not None})
    errors: dict[str, str] = {}
    if values["channel"] not in set(Channel):
        errors["channel"] = "Choose email, sms, letter or in_person."
    opted_out = values["opted_out"] or []
    bad = [k for k in opted_out if k not in set(Kind)]
    if bad or not isinstance(opted_out, list):
        errors["opted_out"] = "Unknown notice kind: " + ", ".join(map(str, bad)) + "."
    for name in ("email", "phone", "postal_address", "third_party_name"):
        values[name] = (values[name] or "").strip()
    language = (values["language"] or "").strip()
    if not language or len(language) > 10:
        errors["language"] = "Give a language code such as en, id or th."
    required = {Channel.EMAIL: "email", Channel.SMS: "phone", Channel.LETTER: "postal_address"}
    needed = required.get(values["channel"])
    if needed and not values[needed]:
        errors[needed] = f"Give the {needed.replace('_', ' ')} the {values['channel']} channel should use."
    if values["email"] and ("@" not in values["email"] or len(values["email"]) > 254):
        errors["email"] = "Give a valid email address."
    if errors:
        raise ValidationFailed(errors)
    values["language"] = language_code(language) or language.lower()
    values["opted_out"] = sorted(set(opted_out))
    before_channel = pref.channel if pref.id else None
    for name, value in values.items():
        setattr(pref, name, value)
    pref.updated_by_id = actor.id
    db.session.add(pref)
    db.session.flush()
    # The trail says what kind of change, never the addresses themselves.
    audit.record(
        "notification_preference.set", pref, actor=actor,
        details={"channel": pref.channel, "from_channel": before_channel, "opted_out": pref.opted_out,
                 "contact_is_safe": pref.contact_is_safe, "language": pref.language},
    )
    return pref


# ---- deadlines and queueing --------------------------------------------------------------------


def deadline_for(kind: str, triggered_at: datetime, court_timezone: str | None = None) -> datetime:
    config = current_app.config
    days = int(config["NOTIFICATION_DEADLINES"].get(kind, 1))
    if days <= 0:
        return triggered_at + timedelta(minutes=int(config["NOTIFICATION_IMMEDIATE_MINUTES"]))
    return add_working_days(
        triggered_at, days, tz=court_timezone or config["NOTIFICATION_TIMEZONE"],
        weekdays=config["WORKING_WEEKDAYS"], holidays=config["HOLIDAYS"],
    )


def _default_key(witness_id: int, kind: str, case_id: int | None, context: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(context, sort_keys=True, default=str).encode()).hexdigest()[:24]
    return f"{kind}:w{witness_id}:c{case_id}:{digest}"


def _check_notice(kind: str, triggered_at: datetime) -> None:
    if kind not in set(Kind):
        raise ValidationFailed({"kind": f"Unknown notice kind {kind!r}."})
    if triggered_at.tzinfo is None:
        raise ValueError("triggered_at must be timezone-aware")


def _notice_values(
    witness_id: int, kind: str, *, case_id: int | None, key: str, context: dict[str, Any], triggered_at: datetime,
    deadline_at: datetime, now: datetime,
) -> dict[str, Any]:
    """The row of a new pending notice (notify_case_witnesses_in_bulk builds the same in SQL)."""
    return {
        "witness_id": witness_id,
        "case_id": case_id,
        "kind": kind,
        "dedup_key": key[:200],
        "context": json.loads(json.dumps(context, default=str)),
        "triggered_at": triggered_at,
        "deadline_at": deadline_at,
        "status": Status.PENDING,
        "next_attempt_at": now,
        "attempts": 0,
        "language_fallback": False,
        "created_at": now,
    }


def queue_notice(
    witness_id: int,
    kind: str,
    *,
    context: dict[str, Any],
    triggered_at: datetime,
    case_id: int | None = None,
    dedup_key: str | None = None,
) -> Notification | None:
    """Put a notice in the outbox (not sent until the sweep, after the caller's commit).

    Returns None when the witness opted out of this kind. The same dedup_key (by default derived
    from kind, witness, case and context) returns the notice already queued, never a second one.
    """
    _check_notice(kind, triggered_at)
    witness = db.session.get(Witness, witness_id)
    if witness is None:
        raise ValidationFailed({"witness_id": "No such witness."})
    if kind in (preferences_for(witness).opted_out or []):
        audit.record("notification.opted_out", witness, details={"kind": kind, "case_id": case_id})
        return None
    key = (dedup_key or _default_key(witness_id, kind, case_id, context))[:200]
    existing = db.session.execute(sa.select(Notification).where(Notification.dedup_key == key)).scalar_one_or_none()
    if existing is not None:
        return existing
    court_timezone = None
    if case_id is not None:
        court_timezone = db.session.execute(sa.select(Case.court_timezone).where(Case.id == case_id)).scalar()
    values = _notice_values(
        witness_id, kind, case_id=case_id, key=key, context=context, triggered_at=triggered_at,
        deadline_at=deadline_for(kind, triggered_at, court_timezone), now=utc_now(),
    )
    inserted = insert_unless_present(Notification, values, "dedup_key")
    notice = db.session.execute(sa.select(Notification).where(Notification.dedup_key == key)).scalar_one()
    if not inserted:
        return notice  # a concurrent writer queued the same notice first
    audit.record("notification.queue", notice, details={"kind": kind, "case_id": case_id})
    return notice


def insert_unless_present(model: type, values: dict[str, Any], *unique: str) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on the unique columns; True if this call inserted.

    Used instead of a savepoint: two sweeps or requests racing on the same key both succeed and
    exactly one row results (SQLite's driver would also turn a first savepoint into a commit).
    """
    statement = (
        insert_statement(model).values(**values).on_conflict_do_nothing(index_elements=list(unique)).returning(model.id)
    )
    # RETURNING, not rowcount: the drivers disagree on rowcount for this statement.
    return db.session.execute(statement).first() is not None


def insert_statement(target: Any, dialect: str | None = None) -> Any:
    """The dialect's own INSERT (the one with on_conflict_do_nothing); by default the session's."""
    dialect = dialect or db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"unsupported database {dialect}")
    return insert(target)


def sentence_end(case_id: Any) -> sa.ColumnElement:
    """The latest sentence end recorded for the case's defendants (outcomes' proposed release
    dates, custody entries' release dates); NULL when none is recorded.

    Two correlated scalar subqueries: a UNION inside a derived table cannot refer to the outer
    journey, and SQLAlchemy would join the journeys afresh there (the latest end of every case)."""
    outcome = sa.select(sa.func.max(Outcome.proposed_release_date)).where(Outcome.case_id == case_id).scalar_subquery()
    custody = sa.select(sa.func.max(CustodyEvent.release_date)).where(CustodyEvent.case_id == case_id).scalar_subquery()
    return sa.case((outcome.is_(None), custody), (custody.is_(None), outcome), (custody > outcome, custody),
                   else_=outcome)


def still_told(kind: str | None = None, today: Any = None) -> sa.ColumnElement[bool]:
    """Journeys whose witness is told about their case: every one not closed, and for the
    offender notices of AFTER_CASE_KINDS also closed ones whose witness stays enrolled (the
    default: no enrolment row) until the latest sentence end recorded for the case, if any.
    `today` is a date or a bound parameter."""
    still_open = Journey.stage != Stage.CLOSED
    if kind not in AFTER_CASE_KINDS:
        return still_open
    opted_out = sa.exists().where(
        Enrolment.witness_id == Journey.witness_id, Enrolment.case_id == Journey.case_id,
        Enrolment.enrolled.is_(False),
    )
    end = sentence_end(Journey.case_id)
    return sa.or_(still_open, sa.and_(~opted_out, sa.or_(end.is_(None), end >= today)))


def case_witness_ids(case_id: int, kind: str | None = None) -> list[int]:
    """The witnesses of the case to tell about a notice of `kind` (see `still_told`)."""
    today = today_in(current_app.config["NOTIFICATION_TIMEZONE"])
    return list(
        db.session.execute(
            sa.select(Journey.witness_id).where(Journey.case_id == case_id, still_told(kind, today))
            .order_by(Journey.witness_id)
        ).scalars()
    )


def notify_case_witnesses(
    case_id: int, kind: str, *, context: dict[str, Any], triggered_at: datetime, key: str
) -> list[Notification]:
    """Queue one notice per witness of the case; `key` identifies the event (per witness it is unique)."""
    notices = []
    for witness_id in case_witness_ids(case_id, kind):
        notice = queue_notice(
            witness_id, kind, context=context, triggered_at=triggered_at, case_id=case_id,
            dedup_key=f"{key}:w{witness_id}",
        )
        if notice is not None:
            notices.append(notice)
    return notices


@dataclass(frozen=True)
class CaseNotice:
    """One event to tell a case's witnesses about, for `notify_case_witnesses_in_bulk`."""

    case_id: int
    key: str  # identifies the event; each witness's notice has the key f"{key}:w{witness_id}"
    context: dict[str, Any]
    court_timezone: str | None = None


# Bound parameters per statement stay far below SQLite's limit (32,766) and PostgreSQL's (65,535).
BULK_EVENTS_PER_STATEMENT = 1000


def notify_case_witnesses_in_bulk(kind: str, events: list[CaseNotice], *, triggered_at: datetime) -> int:
    """`notify_case_witnesses` for many events at once, in a fixed number of statements.

    The same notices, rules and audit trail, set-based, in three statements per 1,000 events: a
    SELECT of the opt-outs; one INSERT ... SELECT of every notice (the open journeys of each case
    joined with the events, sent as one JSON parameter) ON CONFLICT (dedup_key) DO NOTHING
    RETURNING the ids this call queued; one INSERT ... SELECT of their "notification.queue" events
    and of the "notification.opted_out" events. Deadlines are counted once per court time zone. Returns
    the number of notices queued (a key already queued, earlier or by a concurrent writer, adds none).
    """
    _check_notice(kind, triggered_at)
    queued = 0
    for start in range(0, len(events), BULK_EVENTS_PER_STATEMENT):
        queued += _notify_in_bulk(kind, events[start:start + BULK_EVENTS_PER_STATEMENT], triggered_at)
    return queued


_TOLD = JsonRows("told", case_id=sa.Integer(), key=sa.String(), context=sa.JSON(), deadline_at=UTCDateTime())
_OPTED_OUT = JsonRows("opted_out", witness_id=sa.Integer())
_REFUSED = JsonRows("refused", witness_id=sa.Integer(), case_id=sa.Integer())
_QUEUED = JsonRows("queued", id=sa.Integer())


@functools.cache
def _bulk_statements(dialect_name: str, after_case: bool = False) -> tuple[sa.Select, sa.Insert, sa.Insert]:
    """The three statements of `notify_case_witnesses_in_bulk`, built once per database kind and
    per audience (open journeys only, or also closed and enrolled: bound parameter `today`)."""
    today = sa.bindparam("today", type_=sa.Date)
    audience = still_told(min(AFTER_CASE_KINDS) if after_case else None, today)
    opt_outs = (
        sa.select(Journey.case_id, Journey.witness_id, NotificationPreference.opted_out)
        .join(NotificationPreference, NotificationPreference.witness_id == Journey.witness_id)
        .where(Journey.case_id.in_(sa.bindparam("case_ids", expanding=True)), audience)
        .order_by(Journey.case_id, Journey.witness_id)
    )
    told, opted_out = _TOLD.table(dialect_name), _OPTED_OUT.table(dialect_name)
    now = sa.bindparam("now", type_=UTCDateTime)
    table = Notification.__table__
    # The same row as _notice_values, built by the database for every witness of every event.
    columns = {
        "witness_id": Journey.witness_id,
        "case_id": told.c.case_id,
        "kind": sa.bindparam("kind", type_=sa.String),
        "dedup_key": sa.func.substr(told.c.key + ":w" + sa.cast(Journey.witness_id, sa.String), 1, 200),
        "context": told.c.context,
        "triggered_at": sa.bindparam("triggered_at", type_=UTCDateTime),
        "deadline_at": told.c.deadline_at,
        "status": sa.literal(str(Status.PENDING), sa.String),
        "next_attempt_at": now,
        "attempts": sa.literal(0, sa.Integer),
        "language_fallback": sa.literal(False, sa.Boolean),
        "created_at": now,
    }
    rows = (
        sa.select(*columns.values())
        .join_from(Journey, told, told.c.case_id == Journey.case_id)
        .where(audience, Journey.witness_id.not_in(sa.select(opted_out.c.witness_id)))
        # One order for every writer: two bulk inserts of overlapping keys cannot deadlock.
        .order_by(Journey.witness_id, told.c.case_id)
    )
    queue = (
        insert_statement(table, dialect_name).from_select(list(columns), rows)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(table.c.id)
    )
    # What queue_notice records, notice by notice: the refusals, then the notices queued (read back
    # from the table: their ids travel, not the events).
    refused, queued = _REFUSED.table(dialect_name), _QUEUED.table(dialect_name)
    kind = sa.bindparam("kind", type_=sa.String)
    events = sa.union_all(
        sa.select(
            sa.literal("notification.opted_out", sa.String).label("action"),
            sa.literal(Witness.__audit_type__, sa.String).label("object_type"),
            refused.c.witness_id.label("object_id"), refused.c.witness_id.label("witness_id"),
            json_object(dialect_name, kind=kind, case_id=refused.c.case_id).label("details"),
        ),
        sa.select(
            sa.literal("notification.queue", sa.String).label("action"),
            sa.literal(Notification.__audit_type__, sa.String).label("object_type"),
            table.c.id.label("object_id"), table.c.witness_id.label("witness_id"),
            json_object(dialect_name, kind=kind, case_id=table.c.case_id).label("details"),
        ).where(table.c.id.in_(sa.select(queued.c.id))),
    )
    return opt_outs, queue, audit.insert_found(events)


def _notify_in_bulk(kind: str, events: list[CaseNotice], triggered_at: datetime) -> int:
    if not events:
        return 0
    dialect = db.session.get_bind().dialect
    opt_outs, queue, record = _bulk_statements(dialect.name, kind in AFTER_CASE_KINDS)
    today = today_in(current_app.config["NOTIFICATION_TIMEZONE"])
    # Opt-outs live in stored preferences only (the defaults opt out of nothing).
    opted_by_case: dict[int, list[int]] = {}
    for case_id, witness_id, opted_out in db.session.execute(
        opt_outs, {"case_ids": sorted({e.case_id for e in events}), "today": today}
    ):
        if kind in (opted_out or []):
            opted_by_case.setdefault(case_id, []).append(witness_id)
    deadlines: dict[str | None, datetime] = {}
    for event in events:
        if event.court_timezone not in deadlines:
            deadlines[event.court_timezone] = deadline_for(kind, triggered_at, event.court_timezone)
    told = [{"case_id": e.case_id, "key": e.key, "context": e.context, "deadline_at": deadlines[e.court_timezone]}
            for e in events]
    opted_out = [{"witness_id": w} for w in sorted({w for ids in opted_by_case.values() for w in ids})]
    queued = db.session.execute(queue, {
        "kind": str(kind), "triggered_at": triggered_at, "now": utc_now(), "today": today,
        **_TOLD.params(told, dialect), **_OPTED_OUT.params(opted_out, dialect),
    }).scalars().all()
    refused = [{"witness_id": witness_id, "case_id": event.case_id}
               for event in events for witness_id in opted_by_case.get(event.case_id, [])]
    if queued or refused:
        audit.record_found(record, {
            "kind": str(kind), **_REFUSED.params(refused, dialect),
            **_QUEUED.params([{"id": notice_id} for notice_id in queued], dialect),
        })
    return len(queued)


HEARING_KINDS = {"set": Kind.HEARING_SET, "moved": Kind.HEARING_MOVED, "cancelled": Kind.HEARING_CANCELLED}


def _court_local(value: datetime | None, court_timezone: str) -> str:
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(court_timezone))
    return f"{local:%Y-%m-%d %H:%M} ({court_timezone})"


def notify_hearing_change(
    case_id: int,
    change: str,
    *,
    event_id: int | str,
    old_start: datetime | None,
    new_start: datetime | None,
    court_timezone: str,
    triggered_at: datetime | None = None,
) -> list[Notification]:
    """For court events: a hearing was set, moved or cancelled (`change` = set/moved/cancelled).

    Plain values only, so court events call it from their create/move/cancel operations.
    Times are shown to the witness in the court's time zone.
    """
    if change not in HEARING_KINDS:
        raise ValidationFailed({"change": "Give set, moved or cancelled."})
    context = {
        "old_start": _court_local(old_start, court_timezone),
        "new_start": _court_local(new_start, court_timezone),
        "event_id": event_id,
    }
    stamp = (new_start or old_start or utc_now()).isoformat()
    return notify_case_witnesses(
        case_id, HEARING_KINDS[change], context=context, triggered_at=triggered_at or utc_now(),
        key=f"hearing-{change}:c{case_id}:e{event_id}:{stamp}",
    )


def mark_delivered(actor: User, notice: Notification) -> Notification:
    """The officer printed and posted the letter, or told the witness in person."""
    if notice.status not in (Status.AWAITING_OFFICER, Status.FAILED):
        raise ValidationFailed({"status": "This notice is not waiting for you."})
    notice.status = Status.SENT
    notice.sent_at = utc_now()
    notice.delivered_by_id = actor.id
    close_notice_tasks(notice, actor)
    db.session.flush()
    audit.record("notification.delivered", notice, actor=actor, details={"channel": notice.channel})
    return notice


def close_notice_tasks(notice: Notification, actor: User | None = None) -> int:
    """A delivered notice needs no more chasing: its open delivery and escalation tasks are done."""
    return db.session.execute(
        sa.update(Task)
        .where(Task.source_type == "notification", Task.source_id == notice.id, Task.done_at.is_(None),
               Task.kind.in_(["deliver_notice", "notice_undelivered"]))
        .values(done_at=utc_now(), done_by_id=actor.id if actor else None, note="Notice delivered.")
        .execution_options(synchronize_session=False)
    ).rowcount


def undelivered_clause(now: datetime) -> sa.ColumnElement[bool]:
    """WHERE clause: a notice that failed, or that is still waiting past its deadline."""
    return sa.or_(
        Notification.status == Status.FAILED,
        sa.and_(
            Notification.status.in_([Status.PENDING, Status.SENDING, Status.AWAITING_OFFICER]),
            Notification.deadline_at < now,
        ),
    )


def officer_holds_clause(officer_id: Any, witness_id: sa.ColumnElement[int], on: Any = None) -> sa.ColumnElement[bool]:
    """WHERE clause: `officer_id` is the liaison officer of the witness (an active assignment on
    `on`, today by default)."""
    return sa.exists().where(
        WitnessAssignment.witness_id == witness_id, WitnessAssignment.user_id == officer_id,
        WitnessAssignment.role == AssignmentRole.LIAISON_OFFICER, WitnessAssignment.active_clause(on),
    )


@functools.cache
def _undelivered_statement(role: str, broad: bool, by_officer: bool) -> sa.Select:
    """undelivered_for's statement for one shape, built once with bound parameters `user_id`, `now`,
    `today`, `limit` (and `officer_id`): building it cost more than running it."""
    user, now, today = user_parameter(role), sa.bindparam("now", type_=Notification.deadline_at.type), sa.bindparam(
        "today", type_=sa.Date)
    query = (
        sa.select(Notification)
        .where(undelivered_clause(now))
        .order_by(Notification.deadline_at, Notification.id)
        # The witness's reference joined in (one statement, not a second read of the references).
        .options(joinedload(Notification.witness, innerjoin=True).load_only(Witness.reference))
    )
    if by_officer:
        query = query.where(
            officer_holds_clause(sa.bindparam("officer_id", type_=sa.Integer), Notification.witness_id, today))
    return first_visible(user, query, Notification.witness_id, Notification.id,
                         sa.bindparam("limit", type_=sa.Integer), broad=broad, on=today, now=now)


def undelivered_for(user: User, now: datetime, limit: int = 100, officer_id: int | None = None, *,
                    broad: bool | None = None) -> list[Notification]:
    """Failed notices, and notices past their deadline, of the witnesses the user sees (home page,
    the undelivered list); with `officer_id`, only those of that officer's witnesses. `broad`: the
    caseload's shape, when the caller knows it already."""
    broad = has_broad_caseload(user) if broad is None else broad
    statement = _undelivered_statement(user.role, broad, officer_id is not None)
    params = {"user_id": user.id, "now": now, "today": today_utc(), "limit": limit}
    if officer_id is not None:
        params["officer_id"] = officer_id
    return list(db.session.execute(statement, params).scalars())


def today_in(tz: str) -> date:
    return utc_now().astimezone(ZoneInfo(tz)).date()

