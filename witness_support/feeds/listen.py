"""Feed polls answered from memory on PostgreSQL, kept exact by LISTEN/NOTIFY.

A poll's one statement (the token's row, its person and the feed clock: operations._read_token)
is a round trip to PostgreSQL: 0.25 ms of loopback here, more across hosts, and half of what an
unchanged feed's 304 costs. Yet its answer changes only when one of three tables changes:
`feed_clock` (a feed's content moved), `feed_tokens` (issued, rotated, revoked, a new ETag served)
and `users` (a person's `active` or `role`). Triggers on those tables NOTIFY the channel
`feed_poll` when their transaction commits (`TRIGGERS_SQL`: migration 0014, and `create_all` on
PostgreSQL). Each worker process LISTENs on its own connection, in a thread, and forgets every row
it remembers at each notification; while it listens, a token read once is answered from memory.

When memory is trusted, and when it is not:
- Only while the listener is connected and has heard its own heartbeat (a NOTIFY it sends from a
  second connection every HEARTBEAT seconds, as another worker's change would come) within the
  last TRUST_FOR seconds. A connection that dies visibly (a restart, a terminated backend) turns
  memory off at once; one that dies silently, or a pooler that does not carry notifications
  between sessions (PgBouncer in transaction mode), within TRUST_FOR. Until the
  first heartbeat after (re)connecting, and whenever memory is off, polls read the database as
  before.
- A row read while a notification arrived is not kept (rows carry the generation they were read
  in; every notification, reconnection and local commit starts a new one).
- A commit made by this process forgets at once, without waiting for its own notification
  (`_after_commit`). Other processes hear a commit when PostgreSQL delivers it, within
  milliseconds: a poll in between may still answer from the row as it was just before that
  commit, as a poll whose statement started a moment earlier would have.
- The listener checks that the triggers exist; without them (a database not yet upgraded) it does
  not trust memory and looks again every minute.

Memory holds token hashes (never tokens), feed and person ids, roles and ETags: nothing about a
witness. It is bounded (SIZE rows) and per process. FEED_POLL_MEMORY=false turns it off.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..cache import LRUCache
from ..db import transaction_wrote

log = logging.getLogger(__name__)

CHANNEL = "feed_poll"
ALIVE = "alive"  # heartbeats' payloads start with it; every other payload is a change
HEARTBEAT = 2.0
TRUST_FOR = 6.0
TRIGGERS_MISSING_RETRY = 60.0
SIZE = 20_000
TRIGGER_NAMES = ("feed_poll_clock", "feed_poll_tokens", "feed_poll_users")

# Statement-level triggers: one notification per statement, and PostgreSQL folds identical ones
# of a transaction into one. `users` only for the columns a poll reads. A TRUNCATE counts too.
# Re-runnable (create_all runs them whether or not the tables were new).
TRIGGERS_SQL = (
    """CREATE OR REPLACE FUNCTION feed_poll_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('feed_poll', TG_TABLE_NAME);
    RETURN NULL;
END
$$""",
    "DROP TRIGGER IF EXISTS feed_poll_clock ON feed_clock",
    "DROP TRIGGER IF EXISTS feed_poll_tokens ON feed_tokens",
    "DROP TRIGGER IF EXISTS feed_poll_users ON users",
    "CREATE TRIGGER feed_poll_clock AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feed_clock"
    " FOR EACH STATEMENT EXECUTE FUNCTION feed_poll_notify()",
    "CREATE TRIGGER feed_poll_tokens AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feed_tokens"
    " FOR EACH STATEMENT EXECUTE FUNCTION feed_poll_notify()",
    "CREATE TRIGGER feed_poll_users AFTER UPDATE OF active, role OR DELETE OR TRUNCATE ON users"
    " FOR EACH STATEMENT EXECUTE FUNCTION feed_poll_notify()",
)


class PollMemory:
    """Token rows remembered by one process for one database, and the thread that listens."""

    def __init__(self, connect: Callable[[], Any], *, heartbeat: float = HEARTBEAT, trust_for: float = TRUST_FOR,
                 size: int = SIZE) -> None:
        self._connect = connect
        self.heartbeat = heartbeat
        self.trust_for = trust_for
        self.pid = os.getpid()
        self._rows = LRUCache(size)
        self._generation = 0
        self._generation_lock = threading.Lock()
        self._listening = False
        self._trusted_until = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.backend_pid: int | None = None  # the listener's PostgreSQL backend (tests end it)

    # -- what polls use ---------------------------------------------------------------------

    def ticket(self) -> int | None:
        """The generation a row read from now on belongs to; None while memory is not trusted."""
        if self._listening and time.monotonic() < self._trusted_until:
            return self._generation
        return None

    def get(self, token_hash: str) -> tuple | None:
        ticket = self.ticket()
        if ticket is None:
            return None
        entry = self._rows.get(token_hash)
        if entry is None or entry[0] != ticket:
            return None
        return entry[1]

    def put(self, ticket: int | None, token_hash: str, row: tuple) -> None:
        """Keep a row read under `ticket` (taken before the read): if anything was heard since,
        its generation is already gone and the row never answers."""
        if ticket is not None and ticket == self._generation:
            self._rows.put(token_hash, (ticket, row))

    def forget_all(self) -> None:
        with self._generation_lock:
            self._generation += 1
        self._rows.clear()

    @property
    def trusted(self) -> bool:
        return self.ticket() is not None

    @property
    def listening(self) -> bool:
        return self._listening

    # -- the listener -------------------------------------------------------------------------

    def start(self) -> None:
        """Start listening (once; a no-op while the thread runs)."""
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="feed-poll-listener", daemon=True)
            self._thread.start()

    def stop(self, wait: bool = True) -> None:
        self._stop.set()
        thread = self._thread
        if wait and thread is not None:
            thread.join(self.heartbeat + 5)

    def _run(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            try:
                if self._listen_until_lost():
                    delay = 0.5
                    continue
                wait = TRIGGERS_MISSING_RETRY
            except Exception as error:  # noqa: BLE001 - any failure: memory off, polls read the database
                log.warning("feed poll listener lost its connection (%s); polls read the database until it is back",
                            type(error).__name__)
                wait, delay = delay, min(delay * 2, 30.0)
            self._stop.wait(wait)

    def _listen_until_lost(self) -> bool:
        """Listen until the connection fails (raises) or stop() is called (True); False when the
        database lacks the triggers."""
        connection = self._connect()
        sender = None
        try:
            connection.execute(f"LISTEN {CHANNEL}")
            found = connection.execute(
                "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)", (list(TRIGGER_NAMES),)
            ).fetchone()[0]
            if found < len(TRIGGER_NAMES):
                log.warning("feed poll memory is off: the database lacks its triggers (run flask db upgrade)")
                return False
            self.backend_pid = connection.info.backend_pid
            # The heartbeat comes from a session of its own, as every change does: hearing it
            # proves that other sessions' notifications reach this one (behind a pooler in
            # transaction mode they do not, though a session may still hear its own).
            sender = self._connect()
            own = f"{ALIVE}:{secrets.token_hex(8)}"
            self.forget_all()  # anything kept before may have missed a notification
            self._listening = True
            while not self._stop.is_set():
                sender.execute("SELECT pg_notify(%s, %s)", (CHANNEL, own))
                for notice in connection.notifies(timeout=self.heartbeat):
                    if notice.payload == own:
                        self._trusted_until = time.monotonic() + self.trust_for
                    elif not notice.payload.startswith(ALIVE + ":"):  # another worker's heartbeat
                        self.forget_all()
            return True
        finally:
            self._listening = False
            self._trusted_until = 0.0
            self.forget_all()
            for held in (sender, connection):
                with contextlib.suppress(Exception):  # already broken: nothing more to do
                    if held is not None:
                        held.close()


# -- one memory per process and database ------------------------------------------------------

_MEMORIES: dict[tuple[int, str], PollMemory] = {}
_MEMORIES_LOCK = threading.Lock()


def memory_for(engine: sa.Engine) -> PollMemory:
    """This process's memory for the engine's database, listening (started on first use, so after
    a fork: each gunicorn worker has its own)."""
    pid = os.getpid()
    memory = getattr(engine, "_feed_poll_memory", None)  # every poll asks: skip rendering the URL
    if memory is None or memory.pid != pid:
        key = (pid, engine.url.render_as_string(hide_password=False))
        with _MEMORIES_LOCK:
            memory = _MEMORIES.get(key)
            if memory is None:
                memory = _MEMORIES[key] = PollMemory(_connector(engine))
        engine._feed_poll_memory = memory
    memory.start()
    return memory


def _connector(engine: sa.Engine) -> Callable[[], Any]:
    """A new driver connection to the engine's database, in autocommit (notifications arrive only
    between transactions), with the same arguments the engine's pool connects with."""
    dialect = engine.dialect
    cargs, cparams = dialect.create_connect_args(engine.url)

    def connect() -> Any:
        connection = dialect.loaded_dbapi.connect(*cargs, **cparams)
        connection.autocommit = True
        return connection

    return connect


def forget_everywhere() -> None:
    """Forget every row this process remembers (after one of its own commits)."""
    pid = os.getpid()
    for (owner, _url), memory in list(_MEMORIES.items()):
        if owner == pid:
            memory.forget_all()


def install_triggers(connection: sa.Connection) -> None:
    for statement in TRIGGERS_SQL:
        connection.exec_driver_sql(statement)


# -- this process's own commits ---------------------------------------------------------------


def _after_commit(session: Session) -> None:
    # db.py tracks the writes (on PostgreSQL, the only database with poll memory).
    if _MEMORIES and transaction_wrote(session):
        forget_everywhere()


_LISTENERS = (("after_commit", _after_commit),)


def connect() -> None:
    """Listen on every session of the app (idempotent: create_app may run many times)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
