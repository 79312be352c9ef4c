"""PostgreSQL: unchanged feed polls answered from the worker's memory, kept exact by LISTEN/NOTIFY
(witness_support/feeds/listen.py). Changes made elsewhere (another worker, another host, psql)
are simulated by statements on a connection of their own, outside the app's session, so that only
the notification can tell this process about them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from tests.fixtures.feeds import World, issue
from witness_support.court.models import CourtEvent
from witness_support.extensions import db
from witness_support.feeds import listen
from witness_support.feeds import operations as feed_ops

# LISTEN/NOTIFY exists on PostgreSQL only (on SQLite a poll reads the token in process, with no
# round trip); the listener and the polls use connections of their own, so commits are real.
pytestmark = [pytest.mark.postgresql_only, pytest.mark.real_commits]


@pytest.fixture
def world(feed_world: World) -> World:
    return feed_world


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def reads(monkeypatch) -> list[str]:  # noqa: ANN001 - pytest's monkeypatch
    """Every time a poll reads its token from the database (instead of from memory)."""
    calls: list[str] = []
    real = feed_ops._query_token

    def counted(engine: sa.Engine, token_hash: str) -> Any:
        calls.append(token_hash)
        return real(engine, token_hash)

    monkeypatch.setattr(feed_ops, "_query_token", counted)
    return calls


@pytest.fixture
def elsewhere():
    """Run statements as another worker would: own connection, own transaction, committed."""
    engine = sa.create_engine(db.engine.url)

    def run(*statements: str, **params: Any) -> None:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(sa.text(statement), params)

    yield run
    engine.dispose()


def remembered(client, token: str, reads: list[str]) -> str:  # noqa: ANN001 - a test client
    """Poll until this process answers the unchanged feed from memory; its ETag."""
    etag = client.get(f"/feeds/{token}.ics").headers["ETag"]
    memory = listen.memory_for(feed_ops._poll_engine())
    assert wait_until(lambda: memory.trusted), "the listener never heard its own heartbeat"

    def from_memory() -> bool:
        before = len(reads)
        assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 304
        return len(reads) == before

    assert wait_until(from_memory, 5)
    return etag


def test_an_unchanged_poll_makes_no_round_trip(client, world, reads, count_queries):  # noqa: F811
    token = issue(world.support)
    etag = remembered(client, token, reads)
    before = len(reads)
    with count_queries() as statements:
        for _ in range(5):
            response = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
            assert response.status_code == 304 and response.headers["ETag"] == etag
    assert statements == [] and len(reads) == before
    # Without If-None-Match the client gets the whole feed (read through the session as before).
    assert b"BEGIN:VCALENDAR" in client.get(f"/feeds/{token}.ics").get_data()


def test_turned_off_every_poll_reads_the_database(app, client, world, reads):  # noqa: F811
    app.config["FEED_POLL_MEMORY"] = False
    token = issue(world.support)
    etag = client.get(f"/feeds/{token}.ics").headers["ETag"]
    before = len(reads)
    for _ in range(3):
        assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 304
    assert len(reads) == before + 3


def test_a_feed_changed_elsewhere_is_served_new_at_once(client, world, reads, elsewhere):  # noqa: F811
    token = issue(world.support)
    etag = remembered(client, token, reads)
    # Another worker moves the room, as the app does: the event's revision and the feed clock.
    elsewhere("UPDATE court_events SET room = 'Court 9', revision = revision + 1 WHERE id = :id",
              "UPDATE feed_clock SET version = version + 1", id=world.after.id)
    started = time.monotonic()

    def served_new() -> bool:
        response = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
        return response.status_code == 200 and b"Court 9" in response.get_data()

    assert wait_until(served_new, 5)
    assert time.monotonic() - started < 5
    assert db.session.get(CourtEvent, world.after.id).room == "Court 9"


@pytest.mark.parametrize("change", [
    "DELETE FROM feed_tokens WHERE user_id = :user_id",  # revoked by an admin on another host
    "UPDATE feed_tokens SET token_hash = md5(token_hash) || md5(token_hash) WHERE user_id = :user_id",  # rotated
    "UPDATE users SET active = false WHERE id = :user_id",  # account disabled
    "UPDATE users SET role = 'admin' WHERE id = :user_id",  # a role with no court schedule
])
def test_a_token_or_account_changed_elsewhere_stops_answering(client, world, reads, elsewhere, change):  # noqa: F811
    token = issue(world.support)
    etag = remembered(client, token, reads)
    elsewhere(change, user_id=world.support.id)
    assert wait_until(
        lambda: client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 404, 5)


def test_a_revocation_in_this_process_stops_the_very_next_poll(client, auth, world, admin, reads):  # noqa: F811
    token = issue(world.support)
    etag = remembered(client, token, reads)
    auth.login(admin)
    assert client.post(f"/admin/users/{world.support.id}/feed/revoke").status_code == 302
    auth.logout()
    # No waiting: this process's own commit forgot what it remembered.
    assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 404


def test_a_lost_listener_means_polls_read_the_database_until_it_is_back(client, world, reads, elsewhere):  # noqa: F811
    token = issue(world.support)
    etag = remembered(client, token, reads)
    memory = listen.memory_for(feed_ops._poll_engine())
    elsewhere("SELECT pg_terminate_backend(:pid)", pid=memory.backend_pid)
    assert wait_until(lambda: not memory.listening, 5)
    before = len(reads)
    assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 304
    assert len(reads) == before + 1  # read from the database: memory is not trusted
    # Disabled while nobody listened: heard by no one, yet the next poll knows.
    elsewhere("UPDATE users SET active = false WHERE id = :user_id", user_id=world.support.id)
    assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 404
    elsewhere("UPDATE users SET active = true WHERE id = :user_id", user_id=world.support.id)
    # The listener reconnects by itself, and memory answers again.
    assert wait_until(lambda: memory.trusted, 10)
    remembered(client, token, reads)


class _Deaf:
    """A real connection that LISTENs on another channel: like a pooler (PgBouncer in transaction
    mode) that loses notifications, it never hears anything, not even its own heartbeat."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def execute(self, query: str, params: Any = None) -> Any:
        return self._connection.execute(query.replace(f"LISTEN {listen.CHANNEL}", "LISTEN elsewhere"), params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def test_memory_is_not_trusted_when_notifications_do_not_arrive(app):
    connect = listen._connector(db.engine)
    memory = listen.PollMemory(lambda: _Deaf(connect()), heartbeat=0.05)
    memory.start()
    try:
        assert wait_until(lambda: memory.listening, 5)
        time.sleep(0.5)  # ten heartbeats sent, none heard
        assert not memory.trusted
        memory.put(memory.ticket(), "hash", (1,))
        assert memory.get("hash") is None
    finally:
        memory.stop()
    # The same listener on a real channel is trusted within a heartbeat.
    memory = listen.PollMemory(connect, heartbeat=0.05)
    memory.start()
    try:
        assert wait_until(lambda: memory.trusted, 5)
        memory.put(memory.ticket(), "hash", (1,))
        assert memory.get("hash") == (1,)
    finally:
        memory.stop()
    assert not memory.listening and memory.get("hash") is None


def test_memory_is_not_trusted_without_the_triggers(app, elsewhere):
    elsewhere("DROP TRIGGER feed_poll_users ON users")
    memory = listen.PollMemory(listen._connector(db.engine), heartbeat=0.05)
    try:
        memory.start()
        time.sleep(0.5)
        assert not memory.listening and not memory.trusted
    finally:
        memory.stop(wait=False)
        with db.engine.begin() as connection:
            listen.install_triggers(connection)


def test_a_row_read_while_a_change_was_heard_is_not_kept(app):
    memory = listen.PollMemory(listen._connector(db.engine), heartbeat=0.05)
    memory.start()
    try:
        assert wait_until(lambda: memory.trusted, 5)
        ticket = memory.ticket()
        memory.forget_all()  # a notification arrives while the poll's statement runs
        memory.put(ticket, "hash", (1,))
        assert memory.get("hash") is None
    finally:
        memory.stop()


def test_this_process_forgets_at_its_own_commit_without_waiting_to_hear_it(app, world, monkeypatch):  # noqa: F811
    """The listener usually hears a commit within a millisecond, so the end-to-end test above
    would pass without this; here a memory that hears nothing shows the commit alone forgets."""
    memory = listen.PollMemory(lambda: None)  # never started: only this process's commits reach it
    monkeypatch.setitem(listen._MEMORIES, (os.getpid(), "a database"), memory)
    monkeypatch.setattr(memory, "_listening", True)
    monkeypatch.setattr(memory, "_trusted_until", time.monotonic() + 60)
    memory.put(memory.ticket(), "hash", (1,))
    db.session.execute(sa.select(CourtEvent.id)).all()
    db.session.commit()  # read only: nothing forgotten
    assert memory.get("hash") == (1,)
    world.support.display_name = "Ivy Renamed"
    db.session.commit()
    assert memory.get("hash") is None
    memory.put(memory.ticket(), "hash", (1,))
    db.session.execute(sa.update(CourtEvent).where(CourtEvent.id == world.after.id).values(room="Court 3"))
    db.session.commit()  # a Core statement through the session counts too
    assert memory.get("hash") is None
    memory.put(memory.ticket(), "hash", (1,))
    world.support.display_name = "Ivy Again"
    db.session.flush()
    db.session.rollback()  # rolled back: nothing to forget, and the next read-only commit forgets nothing
    db.session.commit()
    assert memory.get("hash") == (1,)
