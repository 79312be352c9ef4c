"""Feed tokens (issue, rotate, revoke, resolve) and the feed's membership in one SQL query.

Who sees which event:
- everyone: the events they are booked to attend, while their assignment to that witness is
  active (ending the assignment takes the event off the next fetch);
- liaison officers and prosecutors: also every event of the cases they are assigned to.
From 30 days back onwards; a cancelled event stays (as STATUS:CANCELLED) for 30 days after it
was cancelled, so that subscribed calendars learn of the cancellation and then forget it.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context

from .. import audit
from ..auth.models import User
from ..cases.models import Case, CaseAssignment
from ..court import interpreting
from ..court.models import Attendance, CourtEvent, EventStatus, EventWitness
from ..dates import showable
from ..db import utc_now
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import ROLE_PERMISSIONS, Permission, Role, has_permission
from ..witnesses.models import Witness, WitnessAssignment
from . import clock
from .models import FeedToken

TOKEN_BYTES = 32
FEED_DAYS_BACK = 30
CANCELLED_KEEP_DAYS = FEED_DAYS_BACK


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_feed_token(actor: User, user: User) -> str:
    """Create or rotate `user`'s token; returns the new token (shown once, never stored)."""
    if not has_permission(user, Permission.FEED_SUBSCRIBE):
        raise ValidationFailed({"user": "This account has no court schedule to subscribe to."})
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = db.session.execute(sa.select(FeedToken).where(FeedToken.user_id == user.id)).scalar_one_or_none()
    now = utc_now()
    if row is None:
        row = FeedToken(user_id=user.id, token_hash=hash_token(token), created_at=now, rotated_at=now)
        db.session.add(row)
        action = "feed_token.issue"
    else:
        row.token_hash = hash_token(token)
        row.rotated_at = now
        action = "feed_token.rotate"
    db.session.flush()
    audit.record(action, row, actor=actor, details={"user_id": user.id})
    return token


def revoke_feed_token(actor: User, user: User) -> None:
    row = db.session.execute(sa.select(FeedToken).where(FeedToken.user_id == user.id)).scalar_one_or_none()
    if row is None:
        raise NotFound("This person has no calendar feed.")
    audit.record("feed_token.revoke", row, actor=actor, details={"user_id": user.id})
    db.session.delete(row)
    db.session.flush()


def feed_token_of(user: User) -> FeedToken | None:
    return db.session.execute(sa.select(FeedToken).where(FeedToken.user_id == user.id)).scalar_one_or_none()


def feed_now() -> datetime:
    """The current instant; tests move it on through the CLOCK setting (as the auth rules do)."""
    return current_app.config.get("CLOCK", utc_now)() if has_app_context() else utc_now()


@dataclass(frozen=True)
class Subscriber:
    """What a feed depends on of its person: the id and the role (staff feeds hold more)."""

    id: int
    role: str


@dataclass(frozen=True)
class FeedAccess:
    """A resolved token: the feed's row as plain values, its person, and the feed clock's version."""

    feed_id: int
    token_hash: str
    etag: str | None
    changed_at: datetime | None
    checked_version: int | None
    checked_until: datetime | None
    checked_host: str | None
    user: Subscriber
    version: int | None


@functools.cache
def _token_statement() -> sa.Select:
    """Every poll's first statement: the token's row, its person and the feed clock's version, read
    together, so in one snapshot (see clock.py). Plain columns, no ORM objects."""
    return (
        sa.select(FeedToken.id, FeedToken.etag, FeedToken.changed_at, FeedToken.checked_version,
                  FeedToken.checked_until, FeedToken.checked_host, User.id, User.role, User.active,
                  clock.version_subquery())
        .join(User, User.id == FeedToken.user_id)
        .where(FeedToken.token_hash == sa.bindparam("token_hash", type_=sa.String))
    )


def resolve_token(token: str) -> FeedAccess | None:
    """The token's feed and its active person with the right to a feed; None for anything else."""
    if not token or len(token) > 100:
        return None
    token_hash = hash_token(token)
    row = db.session.execute(_token_statement(), {"token_hash": token_hash}).first()
    if row is None:
        return None
    feed_id, etag, changed_at, checked_version, checked_until, checked_host, user_id, role, active, version = row
    # has_permission's rule (an active account whose role holds the permission), on plain values.
    if not active or Permission.FEED_SUBSCRIBE not in ROLE_PERMISSIONS.get(Role(role), frozenset()):
        return None
    return FeedAccess(feed_id, token_hash, etag, changed_at, checked_version, checked_until, checked_host,
                      Subscriber(user_id, role), version)


@dataclass(frozen=True)
class Member:
    """One event of a feed, with exactly what its serialised form depends on (the cache key)."""

    event_id: int
    revision: int
    updated_at: datetime
    timezone: str
    references: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    # (reference, the witness's interpreter language, an interpreter booked for them) per witness:
    # what the event's "Interpreter:" line is made of (court.interpreting).
    interpreters: tuple[tuple[str, str | None, bool], ...] = ()

    @property
    def key(self) -> tuple:
        return (self.event_id, self.revision, self.updated_at.isoformat(), self.timezone, self.references,
                self.interpreters)


def _is_staff(user: User | Subscriber) -> bool:
    return user.role in (Role.LIAISON_OFFICER, Role.PROSECUTOR)


@functools.cache
def _member_pairs(staff: bool) -> sa.Select:
    """(event id, witness id or NULL) for every event in a person's feed, before the time window.

    Built once per kind of person with bound parameters (`user_id`, `today`): constructing the
    statement costs more than running it, and a feed is polled often. The rules are those of
    `WitnessAssignment.active_clause` and `visible_case_ids`, spelled with parameters;
    tests/test_feeds.py checks that the feed agrees with `court.operations.events_for_user`.
    """
    user_id = sa.bindparam("user_id", type_=sa.Integer)
    today = sa.bindparam("today", type_=sa.Date)
    attended = (
        sa.select(Attendance.event_id.label("event_id"), Attendance.witness_id.label("witness_id"))
        .where(
            Attendance.user_id == user_id,
            sa.exists().where(
                WitnessAssignment.witness_id == Attendance.witness_id,
                WitnessAssignment.user_id == user_id,
                WitnessAssignment.ended_at.is_(None),
                WitnessAssignment.starts_on <= today,
                sa.or_(WitnessAssignment.ends_on.is_(None), WitnessAssignment.ends_on >= today),
            ),
        )
    )
    if not staff:
        return attended
    cases = (
        sa.select(CaseAssignment.case_id)
        .where(CaseAssignment.user_id == user_id, CaseAssignment.ended_at.is_(None))
        .scalar_subquery()
    )
    required = (
        sa.select(EventWitness.event_id, EventWitness.witness_id)
        .join(CourtEvent, CourtEvent.id == EventWitness.event_id)
        .where(CourtEvent.case_id.in_(cases))
    )
    # Events of one's cases that name no witness yet still belong in the calendar.
    bare = sa.select(CourtEvent.id, sa.null()).where(CourtEvent.case_id.in_(cases))
    return sa.union(attended, required, bare)


@functools.cache
def _membership_statement(staff: bool, full: bool) -> sa.Select:
    """The feed's rows in start order; `full=False` selects only what the ETag depends on.

    DTSTAMP and the times change only together with the revision (court/operations.py `_bump`),
    so (event id, revision, time zone, witness reference) identify the bytes of the feed.
    """
    pairs = _member_pairs(staff).subquery()
    since = sa.bindparam("since", type_=CourtEvent.ends_at.type)
    columns = [CourtEvent.id, CourtEvent.revision, Case.court_timezone, Witness.reference,
               Witness.interpreter_language, interpreting.booked_clause(CourtEvent.id, pairs.c.witness_id)]
    if full:
        columns += [CourtEvent.updated_at, CourtEvent.starts_at, CourtEvent.ends_at]
    else:  # what decides when time alone changes the feed (feed_state)
        columns += [CourtEvent.ends_at, CourtEvent.status, CourtEvent.updated_at]
    return (
        sa.select(*columns)
        .join(pairs, pairs.c.event_id == CourtEvent.id)
        .join(Case, Case.id == CourtEvent.case_id)
        .outerjoin(Witness, Witness.id == pairs.c.witness_id)
        .where(
            CourtEvent.ends_at >= since,
            sa.or_(CourtEvent.status != EventStatus.CANCELLED, CourtEvent.updated_at >= since),
        )
        .order_by(CourtEvent.starts_at, CourtEvent.id, Witness.reference)
    )


def _parameters(user: User | Subscriber, now: datetime | None) -> dict:
    now = now or feed_now()
    # One bound window serves both rules (FEED_DAYS_BACK == CANCELLED_KEEP_DAYS): events from
    # 30 days back, and cancellations kept for 30 days after they were made.
    return {"user_id": user.id, "today": now.astimezone(UTC).date(), "since": now - timedelta(days=FEED_DAYS_BACK)}


@dataclass(frozen=True)
class FeedState:
    """What a feed's bytes depend on (the ETag input), and until when time alone leaves it so."""

    fingerprint: list[tuple]
    valid_until: datetime


def feed_fingerprint(user: User | Subscriber, now: datetime | None = None) -> list[tuple]:
    """What the feed's bytes depend on, from one light SQL query (the ETag input; no calendar code)."""
    return feed_state(user, now).fingerprint


def feed_state(user: User | Subscriber, now: datetime | None = None) -> FeedState:
    """The fingerprint, from one light SQL query, and the first moment at which the feed changes
    by time passing, without any write:

    - at the next UTC midnight: `today` decides which assignments are active;
    - when an event falls out of the window (30 days after it ended), or a cancelled one is
      forgotten (30 days after the cancellation).
    Nothing enters a feed by time passing: the window only moves forward.
    """
    now = now or feed_now()
    parameters = _parameters(user, now)
    # Through the session's connection: plain rows, without the ORM's result machinery.
    rows = db.session.connection().execute(_membership_statement(_is_staff(user), False), parameters).all()
    today: date = parameters["today"]
    until = datetime.combine(today + timedelta(days=1), time(0), tzinfo=UTC)
    keep = timedelta(days=FEED_DAYS_BACK)
    fingerprint = []
    for event_id, revision, timezone, reference, language, booked, ends_at, status, updated_at in rows:
        fingerprint.append((event_id, revision, timezone, reference, language, bool(booked)))
        if not showable(ends_at):  # written past the checks: left out of the feed (ical.render_calendar)
            continue
        until = min(until, ends_at + keep)
        if status == EventStatus.CANCELLED:
            until = min(until, updated_at + keep)
    return FeedState(fingerprint, until)


def confirmed_etag(access: FeedAccess, host: str, now: datetime | None = None) -> str | None:
    """The stored ETag, while the feed is known to be unchanged since it was confirmed: the feed
    clock has not moved, time alone has changed nothing yet, and the UIDs' host is the same.
    None when the membership must be read again."""
    now = now or feed_now()
    if (access.etag is None or access.changed_at is None or access.version is None
            or access.checked_version != access.version or access.checked_host != host
            or access.checked_until is None or now >= access.checked_until):
        return None
    return access.etag


def feed_members(user: User | Subscriber, now: datetime | None = None) -> list[Member]:
    """The feed's events in start order, each with the witness references it shows."""
    index: dict[int, list] = {}
    rows = db.session.execute(_membership_statement(_is_staff(user), True), _parameters(user, now))
    for event_id, revision, timezone, reference, language, booked, updated_at, starts_at, ends_at in rows:
        entry = index.get(event_id)
        if entry is None:
            entry = index[event_id] = [event_id, revision, updated_at, timezone, {}, starts_at, ends_at]
        if reference and reference not in entry[4]:
            entry[4][reference] = (reference, language, bool(booked))
    return [
        Member(event_id, revision, updated_at, timezone, tuple(sorted(people)), starts_at, ends_at,
               tuple(people[r] for r in sorted(people)))
        for event_id, revision, updated_at, timezone, people, starts_at, ends_at in index.values()
    ]


def event_members(user: User, event: CourtEvent) -> Member | None:
    """One event as `user`'s feed would show it (for the one-off download); None if not theirs."""
    pairs = _member_pairs(_is_staff(user)).subquery()
    references = db.session.execute(
        sa.select(Witness.reference, Witness.interpreter_language,
                  interpreting.booked_clause(sa.literal(event.id), pairs.c.witness_id))
        .select_from(pairs)
        .outerjoin(Witness, Witness.id == pairs.c.witness_id)
        .where(pairs.c.event_id == event.id),
        {"user_id": user.id, "today": feed_now().astimezone(UTC).date()},
    ).all()
    if not references:
        return None
    people = {r: (r, language, bool(booked)) for r, language, booked in references if r}
    return Member(event.id, event.revision, event.updated_at, event.case.court_timezone, tuple(sorted(people)),
                  event.starts_at, event.ends_at, tuple(people[r] for r in sorted(people)))


def remember_feed_state(feed: FeedToken, etag: str, *, version: int | None = None,
                        valid_until: datetime | None = None, host: str | None = None,
                        now: datetime | None = None) -> datetime:
    """Record the served ETag and when it was confirmed (the feed clock's `version`, read with the
    token before the membership, so never newer than what the ETag was made from); returns when the
    feed last changed (its Last-Modified)."""
    if feed.etag != etag or feed.changed_at is None:
        changed_at = (now or feed_now()).replace(microsecond=0)
        if feed.changed_at is not None and changed_at <= feed.changed_at:
            # HTTP dates have whole seconds: a change within the second of the last one must still
            # move Last-Modified, or a client revalidating by date would keep the old feed.
            changed_at = feed.changed_at + timedelta(seconds=1)
        feed.etag = etag
        feed.changed_at = changed_at
    feed.checked_version, feed.checked_until, feed.checked_host = version, valid_until, host
    db.session.flush()
    return feed.changed_at
