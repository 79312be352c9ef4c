"""Calendar feeds: content as two real clients read it (ical.js and vobject), access by token,
conditional requests, rotation and revocation, assignment end, leaks, and a feed of 500 events."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.feed_clients import both_clients, ical_js
from tests.fixtures.feeds import (
    CANARY_ADDRESS,
    CANARY_CONTACT,
    CANARY_NAME,
    SYDNEY,
    World,
    at_sydney,
    issue,
)
from tests.helpers import CANARY_OFFENDER
from witness_support import create_app
from witness_support.audit import AuditEvent
from witness_support.cases import operations as case_ops
from witness_support.court import operations as court_ops
from witness_support.court.models import CourtEvent
from witness_support.db import utc_now
from witness_support.extensions import db
from witness_support.feeds import ical
from witness_support.feeds import operations as feed_ops
from witness_support.feeds.models import FeedToken
from witness_support.logging_setup import scrub
from witness_support.witnesses import operations as witness_ops
from witness_support.witnesses.models import WitnessAssignment

# A poll reads its token on a connection of its own (the raw driver, and on PostgreSQL a pool of
# its own in autocommit), outside the test's transaction: these tests commit for real.
pytestmark = pytest.mark.real_commits


@pytest.fixture
def world(feed_world: World) -> World:
    return feed_world


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


# ---- content -------------------------------------------------------------------------------------


def test_feed_as_two_clients_see_it_across_a_daylight_saving_change(client, world):
    token = issue(world.support)
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["ETag"].startswith('"') and response.headers["Last-Modified"].endswith("GMT")
    assert "Set-Cookie" not in response.headers
    text = response.get_data(as_text=True)

    events = both_clients(text)
    assert [e["uid"] for e in events] == [f"court-event-{world.before.id}@witness.test",
                                          f"court-event-{world.after.id}@witness.test"]
    # 10:00 court time on both days, although the offset to UTC differs by an hour.
    assert [e["start"] for e in events] == [utc_iso(world.before.starts_at), utc_iso(world.after.starts_at)]
    offsets = {at_sydney(world.before.starts_at, 0, 10).utcoffset(),
               at_sydney(world.after.starts_at, 0, 10).utcoffset()}
    assert len(offsets) == 2
    assert [e["tzid"] for e in ical_js(text)["events"]] == [SYDNEY, SYDNEY]
    assert all(e["status"] == "CONFIRMED" and e["sequence"] == 1 for e in events)
    assert all(world.witness.reference in e["summary"] and "Trial day" in e["summary"] for e in events)

    properties = ical_js(text)["properties"]
    assert properties["name"] == properties["x-wr-calname"] == ical.CALENDAR_NAME
    assert properties["refresh-interval"] == "PT1H" and properties["x-published-ttl"] == "PT1H"
    assert "method" not in properties
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "BEGIN:VTIMEZONE\r\nTZID:Australia/Sydney\r\n" in text
    assert f"DTSTART;TZID={SYDNEY}:" in text
    unfolded = text.replace("\r\n ", "")
    assert all("," not in line for line in unfolded.split("\r\n") if line.startswith("RDATE"))
    assert "Interpreter: Thai" in unfolded and "Remote link: yes" in unfolded and "Remote link: no" in unfolded
    assert "Court 4" in unfolded
    # Unchanged feed, identical bytes.
    assert client.get(f"/feeds/{token}.ics").get_data(as_text=True) == text


def test_rdates_of_a_long_range_each_on_their_own_line():
    text = ical.build_vtimezone(SYDNEY, 2020, 2030)
    unfolded = text.replace("\r\n ", "").split("\r\n")
    rdates = [line for line in unfolded if line.startswith("RDATE")]
    assert len(rdates) > 10
    assert all("," not in line for line in rdates)


def test_moved_event_keeps_its_uid_with_a_higher_sequence_and_a_cancelled_one_stays(client, world, officer):
    token = issue(world.support)
    first = client.get(f"/feeds/{token}.ics")
    court_ops.move_event(officer, world.after, starts_at=world.after.starts_at + timedelta(hours=2),
                         ends_at=world.after.ends_at + timedelta(hours=2), reason="Court list changed")
    court_ops.cancel_event(officer, world.before, reason="Adjourned")
    db.session.commit()
    second = client.get(f"/feeds/{token}.ics")
    assert second.headers["ETag"] != first.headers["ETag"]
    events = {e["uid"]: e for e in both_clients(second.get_data(as_text=True))}
    moved = events[f"court-event-{world.after.id}@witness.test"]
    assert moved["sequence"] == 2 and moved["start"] == utc_iso(world.after.starts_at)
    cancelled = events[f"court-event-{world.before.id}@witness.test"]
    assert cancelled["status"] == "CANCELLED" and cancelled["sequence"] == 2


def test_cancelled_events_leave_the_feed_after_thirty_days(world, officer):
    court_ops.cancel_event(officer, world.after, reason="Adjourned")
    db.session.commit()
    ids = [m.event_id for m in feed_ops.feed_members(world.support)]
    assert world.after.id in ids
    later = [m.event_id for m in feed_ops.feed_members(world.support, now=utc_now() + timedelta(days=31))]
    assert world.after.id not in later


def test_a_support_persons_feed_is_their_court_schedule(world, officer, make_event):
    """The feed's parameterised statement follows the court schedule's own rule (events_for_user)."""
    other = make_event(world.case, [world.witness], kind="mention", days=5)
    court_ops.assign_attendance(officer, other, world.witness, world.support)
    db.session.commit()
    schedule = [e.id for e, _ in court_ops.events_for_user(world.support, since=utc_now() - timedelta(days=30))]
    assert [m.event_id for m in feed_ops.feed_members(world.support)] == schedule
    assert [m.references for m in feed_ops.feed_members(world.support)] == [(world.witness.reference,)] * 3
    witness_ops.end_assignment(officer, world.assignment)
    db.session.commit()
    assert feed_ops.feed_members(world.support) == [] == court_ops.events_for_user(world.support)


def test_events_older_than_thirty_days_leave_the_feed(world):
    ids = [m.event_id for m in feed_ops.feed_members(world.support, now=world.after.ends_at + timedelta(days=29))]
    assert world.after.id in ids
    ids = [m.event_id for m in feed_ops.feed_members(world.support, now=world.after.ends_at + timedelta(days=31))]
    assert world.after.id not in ids


def test_no_feed_byte_carries_a_name_address_contact_or_defendant(client, auth, world, officer, prosecutor):
    case_ops.assign_to_case(officer, world.case, prosecutor)
    db.session.commit()
    bodies = []
    for user in (world.support, officer, prosecutor):
        token = issue(user)
        response = client.get(f"/feeds/{token}.ics")
        assert response.status_code == 200
        bodies.append(response.get_data())
        assert len(both_clients(response.get_data(as_text=True))) == 2
    for user in (world.support, officer):
        auth.login(user)
        response = client.get(f"/court-events/{world.before.id}/event.ics")
        assert response.status_code == 200
        bodies.append(response.get_data())
        auth.logout()
    for body in bodies:
        unfolded = body.replace(b"\r\n ", b"")
        for canary in (CANARY_NAME, CANARY_ADDRESS, CANARY_CONTACT, CANARY_OFFENDER, "Canaryname", "Canaryaddr",
                       "CANARYPHONE", "CANARY-OFFENDER", world.support.display_name, world.case.reference):
            assert canary.encode() not in body and canary.encode() not in unfolded, canary


def test_staff_feeds_carry_every_event_of_their_cases(client, world, officer, prosecutor, make_user, make_event):
    case_ops.assign_to_case(officer, world.case, prosecutor)
    bare = make_event(world.case, [], kind="mention", days=10)
    db.session.commit()
    for user in (officer, prosecutor):
        events = both_clients(client.get(f"/feeds/{issue(user)}.ics").get_data(as_text=True))
        assert {e["uid"] for e in events} == {f"court-event-{e.id}@witness.test"
                                             for e in (world.before, world.after, bare)}
    # A support person sees only what they attend; another officer sees nothing of this case.
    stranger = make_user("liaison_officer")
    assert both_clients(client.get(f"/feeds/{issue(stranger)}.ics").get_data(as_text=True)) == []


# ---- conditional requests ------------------------------------------------------------------------


def test_revalidation_by_etag_and_by_date(client, world, officer):
    token = issue(world.support)
    first = client.get(f"/feeds/{token}.ics")
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    by_tag = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
    assert by_tag.status_code == 304 and by_tag.get_data() == b""
    assert by_tag.headers["ETag"] == etag and by_tag.headers["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    by_date = client.get(f"/feeds/{token}.ics", headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304 and by_date.headers["ETag"] == etag
    assert client.get(f"/feeds/{token}.ics", headers={"If-Modified-Since": "not a date"}).status_code == 200

    court_ops.update_event_details(officer, world.after, room="Court 9")
    db.session.commit()
    changed_by_tag = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
    assert changed_by_tag.status_code == 200 and "Court 9" in changed_by_tag.get_data(as_text=True)
    changed_by_date = client.get(f"/feeds/{token}.ics", headers={"If-Modified-Since": last_modified})
    assert changed_by_date.status_code == 200
    assert changed_by_date.headers["Last-Modified"] != last_modified


def test_not_modified_answers_from_one_query_without_the_calendar_code(client, world, officer, make_case,
                                                                       count_queries):
    token = issue(world.support)
    etag = client.get(f"/feeds/{token}.ics").headers["ETag"]
    ical.clear_caches()
    with count_queries() as statements:
        response = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
    assert response.status_code == 304
    # Nothing was serialised: the caches the calendar code fills stay empty.
    assert len(ical._EVENT_CACHE) == 0 and len(ical._TZ_CACHE) == 0
    # The token with the feed clock, and nothing else: no membership query, no write.
    assert len(statements) == 1 and "feed_clock" in statements[0], statements
    # A change to another feed moves the clock: the membership is read once, this feed's row is
    # confirmed at the new version, and the poll still answers 304; the next one reads the row alone.
    other = make_other_event(officer, make_case())
    db.session.commit()
    with count_queries() as statements:
        assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 304
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) >= 2 and any(s.lstrip().upper().startswith("UPDATE") for s in statements), statements
    with count_queries() as statements:
        assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 304
    assert len(statements) == 1, statements
    assert other.id not in {m.event_id for m in feed_ops.feed_members(world.support)}


def make_other_event(officer, case):  # noqa: ANN001, ANN201 - a test helper
    """An event no witness of the support person's attends: it moves the clock, not their feed."""
    starts = at_sydney(datetime.now(UTC), 20, 10)
    return court_ops.schedule_event(officer, case, kind="mention", starts_at=starts,
                                    ends_at=starts + timedelta(hours=1))


def test_a_poll_survives_the_server_dropping_its_connections(app, client, world):
    """PostgreSQL: a connection the server closed (restart, failover) is replaced, not answered with a 500."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server to drop a connection")
    token = issue(world.support)
    etag = client.get(f"/feeds/{token}.ics").headers["ETag"]
    db.session.remove()
    held = [db.engine.connect() for _ in range(2)]
    for connection in held:
        connection.close()
    assert db.engine.pool.checkedin() >= 2  # pooled connections are waiting, one for the statement below
    with db.engine.connect() as connection:  # the server ends every other session of the database
        ended = connection.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    assert ended >= 1
    assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"/feeds/{token}.ics").status_code == 200


def clock_version() -> int:
    return db.session.execute(sa.text("SELECT coalesce(max(version), 0) FROM feed_clock")).scalar()


def test_every_change_a_feed_shows_moves_the_feed_clock_and_nothing_else_does(world, officer, prosecutor):
    def moved(change) -> bool:  # noqa: ANN001
        before = clock_version()
        change()
        db.session.commit()
        return clock_version() > before

    later = timedelta(hours=1)
    assert moved(lambda: court_ops.move_event(officer, world.after, starts_at=world.after.starts_at + later,
                                              ends_at=world.after.ends_at + later, reason="Moved"))
    assert moved(lambda: court_ops.update_event_details(officer, world.before, room="Court 2"))
    assert moved(lambda: case_ops.assign_to_case(officer, world.case, prosecutor))
    assert moved(lambda: witness_ops.end_assignment(officer, world.assignment, reason="Changed"))
    assert moved(lambda: setattr(world.case, "court_timezone", "Australia/Perth"))
    assert moved(lambda: setattr(world.witness, "reference", "W-RENAMED-1"))
    # A Core statement through the session counts as well as the ORM's flush.
    assert moved(lambda: db.session.execute(sa.update(CourtEvent).where(CourtEvent.id == world.after.id)
                                            .values(room="Court 3")))
    # Changes no feed shows leave it standing, and so does a change that was rolled back.
    assert not moved(lambda: setattr(world.witness, "participation", "declined"))
    assert not moved(lambda: witness_ops.update_witness(officer, world.witness, legal_name="Invented New Name"))
    before = clock_version()
    court_ops.cancel_event(officer, world.after, reason="Adjourned")
    db.session.flush()
    db.session.rollback()
    assert clock_version() == before


def test_time_alone_changes_the_etag_when_an_event_leaves_the_window(client, world, clock):
    token = issue(world.support)
    first = client.get(f"/feeds/{token}.ics")
    etag = first.headers["ETag"]
    assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 304
    # No write at all, only time: 31 days after the earlier event ended, it has left the feed.
    clock.now = world.before.ends_at + timedelta(days=31)
    later = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
    assert later.status_code == 200 and later.headers["ETag"] != etag
    assert [e["uid"] for e in both_clients(later.get_data(as_text=True))] == [
        f"court-event-{world.after.id}@witness.test"]


def test_an_assignment_that_ends_at_midnight_changes_the_etag_the_next_day(client, world, clock):
    world.assignment.ends_on = clock.now.astimezone(UTC).date()
    db.session.commit()
    token = issue(world.support)
    etag = client.get(f"/feeds/{token}.ics").headers["ETag"]
    assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 304
    clock.now = datetime.combine(clock.now.astimezone(UTC).date() + timedelta(days=1), datetime.min.time(), UTC)
    next_day = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
    assert next_day.status_code == 200 and both_clients(next_day.get_data(as_text=True)) == []


# ---- access -------------------------------------------------------------------------------------


def test_token_is_random_long_and_stored_only_as_a_hash(world):
    token = issue(world.support)
    assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_\-]+", token)
    row = db.session.execute(sa.select(FeedToken)).scalar_one()
    assert row.token_hash == feed_ops.hash_token(token) and token not in repr(row.__dict__)
    assert issue(world.support) != token
    assert db.session.execute(sa.select(sa.func.count()).select_from(FeedToken)).scalar() == 1


def test_rotated_revoked_and_unknown_tokens_all_get_the_same_plain_404(client, auth, world, admin):
    old = issue(world.support)
    new = issue(world.support)
    unknown = client.get("/feeds/" + "A" * 43 + ".ics")
    rotated = client.get(f"/feeds/{old}.ics")
    assert client.get(f"/feeds/{new}.ics").status_code == 200
    auth.login(admin)
    assert client.post(f"/admin/users/{world.support.id}/feed/revoke").status_code == 302
    auth.logout()
    revoked = client.get(f"/feeds/{new}.ics")
    for response in (unknown, rotated, revoked):
        assert response.status_code == 404
        assert response.get_data() == unknown.get_data() == b"Not found.\n"
        assert response.headers["Content-Type"] == unknown.headers["Content-Type"] == "text/plain; charset=utf-8"
    actions = db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.action.like("feed_token.%"))
                                 .order_by(AuditEvent.id)).scalars().all()
    assert actions == ["feed_token.issue", "feed_token.rotate", "feed_token.revoke"]


def test_a_disabled_account_or_a_role_without_feeds_gets_the_404(client, world, admin):
    token = issue(world.support)
    world.support.active = False
    db.session.commit()
    assert client.get(f"/feeds/{token}.ics").status_code == 404
    with pytest.raises(feed_ops.ValidationFailed):
        feed_ops.issue_feed_token(admin, admin)


def test_ending_the_assignment_takes_the_events_off_the_next_fetch(client, world, officer):
    token = issue(world.support)
    first = client.get(f"/feeds/{token}.ics")
    assert len(both_clients(first.get_data(as_text=True))) == 2
    witness_ops.end_assignment(officer, world.assignment, reason="Interpreter changed")
    db.session.commit()
    # Even a client revalidating by date alone is told the feed changed.
    second = client.get(f"/feeds/{token}.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert second.status_code == 200
    assert both_clients(second.get_data(as_text=True)) == []
    assert db.session.get(WitnessAssignment, world.assignment.id).ended_at is not None


def test_tokens_never_reach_a_log_line(client, world, caplog):
    token = issue(world.support)
    with client.application.test_request_context(base_url="https://witness.test"):
        from witness_support.feeds.views import feed_urls

        https, webcal = feed_urls(token)
    assert https == f"https://witness.test/feeds/{token}.ics" and webcal == f"webcal://witness.test/feeds/{token}.ics"
    for line in (f'127.0.0.1 - - "GET /feeds/{token}.ics HTTP/1.1" 200 -', https, webcal):
        assert token not in scrub(line) and "/feeds/***" in scrub(line)
    caplog.set_level("DEBUG")
    client.get(f"/feeds/{token}.ics")
    client.get("/feeds/" + "B" * 43 + ".ics")
    assert token not in caplog.text


def test_rate_limited_per_token_and_per_address(app_config, world):
    token = issue(world.support)
    limited = create_app(dict(app_config, RATELIMIT_ENABLED=True, FEED_RATE_LIMIT_PER_TOKEN="2 per minute",
                              FEED_RATE_LIMIT_PER_IP="4 per minute"))
    with limited.app_context():
        c = limited.test_client()
        one = {"REMOTE_ADDR": "192.0.2.10"}
        statuses = [c.get(f"/feeds/{token}.ics", environ_base=one).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        # Another address, same token: still limited (per token).
        assert c.get(f"/feeds/{token}.ics", environ_base={"REMOTE_ADDR": "192.0.2.11"}).status_code == 429
        # One address trying many tokens: limited per address too.
        two = {"REMOTE_ADDR": "192.0.2.12"}
        guesses = [c.get("/feeds/" + f"{n:043d}" + ".ics", environ_base=two).status_code for n in range(5)]
        assert guesses == [404, 404, 404, 404, 429]
        db.session.remove()  # the requests shared this app context and its session
        db.engine.dispose()


# ---- the pages, the one-off download, the CLI -------------------------------------------------------


def test_subscribe_page_shows_the_links_once_and_rotates(client, auth, world):
    auth.login(world.support)
    home = client.get("/")
    assert b'href="/calendar-feed"' in home.get_data()
    page = client.get("/calendar-feed")
    assert page.status_code == 200 and b"Create my feed link" in page.get_data()
    assert page.headers["Cache-Control"] == "no-store"
    created = client.post("/calendar-feed/rotate")
    assert created.status_code == 303 and created.location == "/calendar-feed"
    shown = client.get("/calendar-feed")
    assert shown.headers["Cache-Control"] == "no-store"
    text = shown.get_data(as_text=True)
    urls = re.findall(r'value="((?:https|webcal)://[^"]+)"', text)
    assert [u.split("://")[0] for u in urls] == ["https", "webcal"]
    assert "Google Calendar" in text and "Outlook" in text and "Apple Calendar" in text and "Thunderbird" in text
    token = urls[0].rsplit("/", 1)[1].removesuffix(".ics")
    assert client.get(f"/feeds/{token}.ics").status_code == 200
    again = client.get("/calendar-feed").get_data(as_text=True)
    assert token not in again and "Make a new link" in again
    rotated = client.post("/calendar-feed/rotate", follow_redirects=True).get_data(as_text=True)
    assert token not in rotated
    assert client.get(f"/feeds/{token}.ics").status_code == 404


def test_the_feed_link_is_in_the_scheme_of_the_configured_address(app, client, auth, world):
    """A service configured on plain http shows an http link: an https one would not open."""
    app.config["PUBLIC_BASE_URL"] = "http://witness.test"
    auth.login(world.support)
    page = client.post("/calendar-feed/rotate", follow_redirects=True).get_data(as_text=True)
    urls = re.findall(r'value="((?:https?|webcal)://[^"]+)"', page)
    assert urls[0].startswith("http://witness.test/feeds/") and urls[1].startswith("webcal://witness.test/feeds/")
    assert "https://" not in page.split("How to add it")[0]


def test_a_new_link_is_shown_once_after_the_redirect_and_never_in_a_url_or_readable_cookie(client, auth, world):
    auth.login(world.support)
    made = client.post("/calendar-feed/rotate")
    assert made.status_code == 303 and made.location == "/calendar-feed"
    cookie = " ".join(made.headers.getlist("Set-Cookie"))
    assert "session=" in cookie
    first = client.get("/calendar-feed").get_data(as_text=True)
    web = re.search(r'id="feed-web" type="text" readonly value="([^"]+)"', first).group(1)
    token = web.rsplit("/", 1)[1].removesuffix(".ics")
    assert token not in made.location and token not in cookie
    assert 'data-copy="feed-web"' in first  # the copy button, shown by the static script
    # Reloading shows no link and makes none: the link just made keeps working.
    again = client.get("/calendar-feed").get_data(as_text=True)
    assert token not in again and "It cannot be shown again" in again
    assert client.get(f"/feeds/{token}.ics").status_code == 200
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action.like("feed_token.%"))).scalar() == 1


def test_a_sealed_link_from_an_earlier_rotation_or_a_forged_cookie_is_not_shown(client, auth, world):
    auth.login(world.support)
    client.post("/calendar-feed/rotate")
    with client.session_transaction() as sess:
        stale = sess["feed_link_reveal"]
    client.get("/calendar-feed")
    client.post("/calendar-feed/rotate", follow_redirects=True)
    for sealed in (stale, "not a sealed token", 42):  # an older link (rotated away), garbage, not text
        with client.session_transaction() as sess:
            sess["feed_link_reveal"] = sealed
        page = client.get("/calendar-feed").get_data(as_text=True)
        assert page.count("/feeds/") == 0 and "It cannot be shown again" in page


def test_feed_pages_per_role(client, auth, world, officer, prosecutor, admin):
    assert client.get("/calendar-feed").status_code == 302
    assert client.post("/calendar-feed/rotate").status_code == 302  # to the sign-in
    for user in (officer, prosecutor, world.support):
        auth.login(user)
        assert client.get("/calendar-feed").status_code == 200
        assert client.post(f"/admin/users/{world.support.id}/feed/revoke").status_code == 404
        auth.logout()
    auth.login(admin)
    assert client.get("/calendar-feed").status_code == 404
    assert client.post("/calendar-feed/rotate").status_code == 404
    issue(world.support)
    assert client.get(f"/admin/users/{world.support.id}").status_code == 200
    assert client.post(f"/admin/users/{world.support.id}/feed/revoke").status_code == 302
    assert db.session.execute(sa.select(FeedToken)).first() is None
    # Nothing left to revoke: told so, nothing changes.
    response = client.post(f"/admin/users/{world.support.id}/feed/revoke", follow_redirects=True)
    assert b"has no calendar feed link" in response.get_data()
    assert client.post("/admin/users/999999/feed/revoke").status_code == 404


def test_one_off_download_per_role(client, auth, world, officer, make_user):
    auth.login(world.support)
    response = client.get(f"/court-events/{world.after.id}/event.ics")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="court-event-{world.after.id}.ics"'
    events = both_clients(response.get_data(as_text=True))
    assert [e["uid"] for e in events] == [f"court-event-{world.after.id}@witness.test"]
    assert events[0]["start"] == utc_iso(world.after.starts_at)
    assert "REFRESH-INTERVAL" not in response.get_data(as_text=True)
    assert b"event.ics" in client.get("/").get_data()
    auth.logout()
    for stranger in (make_user("support_person"), make_user("liaison_officer"), make_user("prosecutor")):
        auth.login(stranger)
        assert client.get(f"/court-events/{world.after.id}/event.ics").status_code == 404
        auth.logout()
    auth.login(officer)
    assert f"/court-events/{world.after.id}/event.ics".encode() in client.get(f"/court-events/{world.after.id}").data
    assert client.get(f"/court-events/{world.after.id}/event.ics").status_code == 200
    assert client.get("/court-events/999999/event.ics").status_code == 404
    auth.logout()
    assert client.get(f"/court-events/{world.after.id}/event.ics").status_code == 302


def test_cli_issues_a_link_and_prints_the_url_last(app, client, world, admin):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["feeds", "issue", world.support.email])
    assert result.exit_code == 0, result.output
    url = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"https://witness\.test/feeds/[A-Za-z0-9_\-]{43}\.ics", url)
    assert client.get(url.removeprefix("https://witness.test")).status_code == 200
    again = runner.invoke(args=["feeds", "issue", world.support.email]).output.strip().splitlines()[-1]
    assert again != url and client.get(url.removeprefix("https://witness.test")).status_code == 404
    assert runner.invoke(args=["feeds", "issue", "nobody@example.test"]).exit_code != 0
    refused = runner.invoke(args=["feeds", "issue", admin.email])
    assert refused.exit_code != 0 and "no court schedule" in refused.output
    assert runner.invoke(args=["feeds", "revoke", world.support.email]).exit_code == 0
    assert client.get(again.removeprefix("https://witness.test")).status_code == 404
    assert runner.invoke(args=["feeds", "revoke", world.support.email]).exit_code != 0


# ---- size ---------------------------------------------------------------------------------------


def test_a_feed_of_500_events(client, world, officer):
    start = at_sydney(datetime.now(UTC), 40, 9)
    for n in range(498):
        starts = start + timedelta(days=n // 4, hours=2 * (n % 4))
        court_ops.schedule_event(officer, world.case, kind="mention", starts_at=starts,
                                 ends_at=starts + timedelta(hours=1), witness_ids=[world.witness.id])
    db.session.commit()
    response = client.get(f"/feeds/{issue(officer)}.ics")
    events = both_clients(response.get_data(as_text=True))
    assert len(events) == 500
    assert len({e["uid"] for e in events}) == 500
    assert events == sorted(events, key=lambda e: (e["start"], int(e["uid"].split("-")[2].split("@")[0])))
    # Some of these span a daylight-saving change: every start is still 9, 11, 13 or 15 o'clock court time.
    world_uids = {f"court-event-{e.id}@witness.test" for e in (world.before, world.after)}
    hours = {datetime.fromisoformat(e["start"].replace("Z", "+00:00")).astimezone(ZoneInfo(SYDNEY)).hour
             for e in events if e["uid"] not in world_uids}
    assert hours == {9, 11, 13, 15}
