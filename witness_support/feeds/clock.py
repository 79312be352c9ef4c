"""The feed clock: a version that moves in every transaction that may change a calendar feed.

Answering "not modified" from the feed's membership costs one query over every event in the
feed (7,000 rows for the busiest support person of the national demo): too slow to serve each
poll. Instead, each transaction that changes a row a feed is made of (court events, who attends
them, who must attend them, witness and case assignments, a witness's reference and interpreter
language, a court's time zone) moves `feed_clock.version` once, just before it commits. A worker that computed a feed's
ETag at version V knows the feed is unchanged while the version is still V, until the first
moment at which time alone changes the feed (operations.FeedState.valid_until).

The version moves in the same transaction as the change, so a reader never sees the change
without the new version; and the ETag is computed after the version is read, so a change
committed in between only makes the next poll compute again. The bump is the transaction's last
statement: the row's lock is held only while committing, and its holder waits on nothing else.

Changes are noticed where they are made through the session: flushed ORM objects and Core
INSERT/UPDATE/DELETE statements run by `db.session.execute`. A write through a raw connection
that bypasses the session (none does so to these tables) must call `bump()` itself.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from ..extensions import db

# Tables whose every change may alter a feed.
FEED_TABLES = frozenset({
    "court_events", "court_event_attendance", "court_event_witnesses", "witness_assignments", "case_assignments",
})
# Tables of which a feed shows one column or two: a change elsewhere in their rows is no change to a feed.
WATCHED_COLUMNS = {"cases": ("court_timezone",), "witnesses": ("reference", "interpreter_language")}
_FLAG = "feed_clock_moves"

# One statement for both databases (SQLite 3.24+ and PostgreSQL): the row is created by the
# migration, but test databases made with create_all() (and truncated between tests) lack it.
_BUMP = sa.text(
    "INSERT INTO feed_clock (id, version) VALUES (1, 1)"
    " ON CONFLICT (id) DO UPDATE SET version = feed_clock.version + 1"
)


def version_subquery() -> sa.ScalarSelect:
    """The current version as a scalar subquery (NULL before the first change of a fresh database)."""
    from .models import FeedClock

    return sa.select(FeedClock.version).where(FeedClock.id == 1).scalar_subquery()


def bump(session: Session | None = None) -> None:
    """Move the clock now, in the session's transaction."""
    (session or db.session).connection().execute(_BUMP)


def _table_of(obj: Any) -> str | None:
    table = getattr(type(obj), "__table__", None)
    return table.name if table is not None else None


def _changes_a_feed(obj: Any, how: str) -> bool:
    name = _table_of(obj)
    if name in FEED_TABLES:
        return True
    columns = WATCHED_COLUMNS.get(name or "")
    if columns is None or how == "new":  # a new witness or case is in no feed before an event names it
        return False
    if how == "deleted":  # its events may go with it (ON DELETE CASCADE, unseen by the session)
        return True
    state = sa.inspect(obj)
    return any(state.attrs[column].history.has_changes() for column in columns)


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    if session.info.get(_FLAG):
        return
    if (any(_changes_a_feed(o, "new") for o in session.new)
            or any(_changes_a_feed(o, "deleted") for o in session.deleted)
            or any(_changes_a_feed(o, "dirty") for o in session.dirty)):
        session.info[_FLAG] = True


def _do_orm_execute(state: ORMExecuteState) -> None:
    """Core (or bulk ORM) INSERT, UPDATE and DELETE statements on a feed's tables, run by the session.

    An UPDATE of witnesses or cases counts whatever its columns (cheap to over-count: the next
    poll merely computes again); an INSERT there does not, as for new objects."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name in FEED_TABLES or (name in WATCHED_COLUMNS and not state.is_insert):
        state.session.info[_FLAG] = True


def _before_commit(session: Session) -> None:
    # Flush first, so that the flags of the changes still pending are set, then move the clock
    # as the last statement before COMMIT.
    session.flush()
    if session.info.pop(_FLAG, False):
        bump(session)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: committed (and bumped) or rolled back
        session.info.pop(_FLAG, None)


_LISTENERS = (
    ("before_flush", _before_flush),
    ("do_orm_execute", _do_orm_execute),
    ("before_commit", _before_commit),
    ("after_transaction_end", _after_transaction_end),
)


def connect() -> None:
    """Listen on every session of the app (idempotent: create_app may run many times)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
