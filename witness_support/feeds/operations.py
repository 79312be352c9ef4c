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
from datetime import datetime, timedelta

import sqlalchemy as sa

from .. import audit
from ..auth.models import User
from ..cases.models import Case, CaseAssignment
from ..court.models import Attendance, CourtEvent, EventStatus, EventWitness
from ..db import today_utc, utc_now
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import Permission, Role, has_permission
from ..witnesses.models import Witness, WitnessAssignment
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


@functools.cache
def _token_statement() -> sa.Select:
    """Built once: every poll runs it, and building a statement costs more than SQLite running it."""
    return (
        sa.select(FeedToken, User).join(User, User.id == FeedToken.user_id)
        .where(FeedToken.token_hash == sa.bindparam("token_hash", type_=sa.String))
    )


def resolve_token(token: str) -> tuple[FeedToken, User] | None:
    """The token's row and its active user with the right to a feed; None for anything else."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(_token_statement(), {"token_hash": hash_token(token)}).first()
    if row is None:
        return None
    feed, user = row
    if not has_permission(user, Permission.FEED_SUBSCRIBE):
        return None
    return feed, user


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

    @property
    def key(self) -> tuple:
        return (self.event_id, self.revision, self.updated_at.isoformat(), self.timezone, self.references)


def _is_staff(user: User) -> bool:
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
    columns = [CourtEvent.id, CourtEvent.revision, Case.court_timezone, Witness.reference]
    if full:
        columns += [CourtEvent.updated_at, CourtEvent.starts_at, CourtEvent.ends_at]
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


def _parameters(user: User, now: datetime | None) -> dict:
    now = now or utc_now()
    # One bound window serves both rules (FEED_DAYS_BACK == CANCELLED_KEEP_DAYS): events from
    # 30 days back, and cancellations kept for 30 days after they were made.
    return {"user_id": user.id, "today": today_utc(), "since": now - timedelta(days=FEED_DAYS_BACK)}


def feed_fingerprint(user: User, now: datetime | None = None) -> list[tuple]:
    """What the feed's bytes depend on, from one light SQL query (the ETag input; no calendar code)."""
    # Through the session's connection: plain rows, without the ORM's result machinery.
    rows = db.session.connection().execute(_membership_statement(_is_staff(user), False), _parameters(user, now))
    return [tuple(row) for row in rows]


def feed_members(user: User, now: datetime | None = None) -> list[Member]:
    """The feed's events in start order, each with the witness references it shows."""
    index: dict[int, list] = {}
    rows = db.session.execute(_membership_statement(_is_staff(user), True), _parameters(user, now))
    for event_id, revision, timezone, reference, updated_at, starts_at, ends_at in rows:
        entry = index.get(event_id)
        if entry is None:
            entry = index[event_id] = [event_id, revision, updated_at, timezone, [], starts_at, ends_at]
        if reference and reference not in entry[4]:
            entry[4].append(reference)
    return [
        Member(event_id, revision, updated_at, timezone, tuple(sorted(references)), starts_at, ends_at)
        for event_id, revision, updated_at, timezone, references, starts_at, ends_at in index.values()
    ]


def event_members(user: User, event: CourtEvent) -> Member | None:
    """One event as `user`'s feed would show it (for the one-off download); None if not theirs."""
    pairs = _member_pairs(_is_staff(user)).subquery()
    references = db.session.execute(
        sa.select(Witness.reference)
        .select_from(pairs)
        .outerjoin(Witness, Witness.id == pairs.c.witness_id)
        .where(pairs.c.event_id == event.id),
        {"user_id": user.id, "today": today_utc()},
    ).all()
    if not references:
        return None
    names = tuple(sorted({r for (r,) in references if r}))
    return Member(event.id, event.revision, event.updated_at, event.case.court_timezone, names, event.starts_at,
                  event.ends_at)


def remember_feed_state(feed: FeedToken, etag: str, now: datetime | None = None) -> datetime:
    """Record the served ETag; returns when the feed last changed (its Last-Modified)."""
    if feed.etag != etag or feed.changed_at is None:
        changed_at = (now or utc_now()).replace(microsecond=0)
        if feed.changed_at is not None and changed_at <= feed.changed_at:
            # HTTP dates have whole seconds: a change within the second of the last one must still
            # move Last-Modified, or a client revalidating by date would keep the old feed.
            changed_at = feed.changed_at + timedelta(seconds=1)
        feed.etag = etag
        feed.changed_at = changed_at
        db.session.flush()
    return feed.changed_at
