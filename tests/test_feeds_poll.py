"""Feed polls see every change at once, wherever it was made: another worker, another host, psql.
Those changes are made here by statements on a connection of their own, outside the app's
session, so that only the database can tell the poll about them."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.fixtures.feeds import World, issue
from witness_support.court.models import CourtEvent
from witness_support.extensions import db

# Changes are committed on connections of their own, which only real commits make visible.
pytestmark = pytest.mark.real_commits


@pytest.fixture
def world(feed_world: World) -> World:
    return feed_world


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


def unchanged(client, token: str) -> str:  # noqa: ANN001 - a test client
    """Fetch the feed, then poll it once unchanged (304); its ETag."""
    etag = client.get(f"/feeds/{token}.ics").headers["ETag"]
    assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 304
    return etag


def test_a_feed_changed_elsewhere_is_served_new_at_once(client, world, elsewhere):
    token = issue(world.support)
    etag = unchanged(client, token)
    # Another worker moves the room, as the app does: the event's revision and the feed clock.
    elsewhere("UPDATE court_events SET room = 'Court 9', revision = revision + 1 WHERE id = :id",
              "UPDATE feed_clock SET version = version + 1", id=world.after.id)
    response = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200 and b"Court 9" in response.get_data()
    assert db.session.get(CourtEvent, world.after.id).room == "Court 9"


@pytest.mark.parametrize("change", [
    "DELETE FROM feed_tokens WHERE user_id = :user_id",  # revoked by an admin on another host
    "UPDATE feed_tokens SET token_hash = 'rotated-' || substr(token_hash, 9) WHERE user_id = :user_id",  # rotated
    "UPDATE users SET active = false WHERE id = :user_id",  # account disabled
    "UPDATE users SET role = 'admin' WHERE id = :user_id",  # a role with no court schedule
])
def test_a_token_or_account_changed_elsewhere_stops_the_next_poll(client, world, elsewhere, change):
    token = issue(world.support)
    etag = unchanged(client, token)
    elsewhere(change, user_id=world.support.id)
    assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 404


def test_a_revocation_stops_the_very_next_poll(client, auth, world, admin):
    token = issue(world.support)
    etag = unchanged(client, token)
    auth.login(admin)
    assert client.post(f"/admin/users/{world.support.id}/feed/revoke").status_code == 302
    auth.logout()
    assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 404


def test_a_feed_confirmed_by_one_worker_answers_in_another(app, client, world):
    """The confirmation lives in the token's row, not in a worker's memory: a second app on the
    same database (another worker) answers the unchanged poll 304 without reading the membership."""
    from witness_support import create_app

    token = issue(world.support)
    etag = unchanged(client, token)
    other = create_app(dict(app.config))
    statements: list[str] = []
    with other.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = other.test_client().get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
        engine.dispose()
    assert response.status_code == 304 and response.headers["ETag"] == etag
    # The token with the feed clock, and nothing else (no membership query, no write).
    assert len([s for s in statements if "feed_tokens" in s or "court_events" in s]) == 1, statements
