"""Benchmark: the calendar feed, 200 events for one person, against a plain-string floor.

Builds a temporary SQLite database with the real schema and 200 court events a support person
attends (through the real operations), then measures, interleaved A B A B with medians:

  (a) a cold build with the icalendar package (caches cleared),
  (b) a build in which one event changed (caches warm; that one VEVENT is rebuilt),
  (c) the same ICS text written with plain string formatting (the floor; checked byte-identical),
  (d) the unchanged feed's 304 through the Flask test client: CPU time per poll, and the share of
      one worker that 10,000 subscribers polling every 15 minutes take at that cost (target < 5 %).

(a) to (c) start from the same loaded rows, so they time the writing of the text only; the
"real path" line adds the membership query and loading the changed event, as a poll runs it.

    python bench/feeds.py [--events 200] [--rounds 21] [--requests 300]

A script that reports on stdout, hence print (T201 is off for this file).
"""

# ruff: noqa: T201, S106
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from witness_support import create_app  # noqa: E402
from witness_support.auth import operations as auth_ops  # noqa: E402
from witness_support.cases import operations as case_ops  # noqa: E402
from witness_support.court import operations as court_ops  # noqa: E402
from witness_support.court.models import CourtEvent, EventStatus  # noqa: E402
from witness_support.extensions import db  # noqa: E402
from witness_support.feeds import ical  # noqa: E402
from witness_support.feeds import operations as feed_ops  # noqa: E402
from witness_support.feeds.operations import Member  # noqa: E402
from witness_support.templating import label  # noqa: E402
from witness_support.witnesses import operations as witness_ops  # noqa: E402

HOST = "witness.example.org"
ZONE = "Australia/Sydney"


def seed(events: int) -> tuple[object, str]:
    officer = auth_ops.create_user("officer@bench.test", role="liaison_officer", password="bench password 1",
                                   display_name="Bench Officer")
    support = auth_ops.create_user("support@bench.test", role="support_person", password="bench password 2",
                                   display_name="Bench Support")
    case = case_ops.create_case(officer, reference="BENCH-1", court_name="Invented Downing Centre",
                                court_timezone=ZONE, offence_type="Trafficking in persons")
    witness = witness_ops.create_witness(officer, legal_name="Invented Bench Person", preferred_language="Thai",
                                         participation="participating")
    case_ops.start_journey(officer, case, witness)
    witness_ops.assign_support(officer, witness, support, "interpreter")
    tz = ZoneInfo(ZONE)
    first = date.today() + timedelta(days=2)
    for n in range(events):
        day = first + timedelta(days=n)
        starts = datetime(day.year, day.month, day.day, 10, tzinfo=tz)
        event = court_ops.schedule_event(officer, case, kind="trial_day", starts_at=starts,
                                         ends_at=starts + timedelta(hours=5), room=f"Court {n % 12 + 1}",
                                         interpreter_language="Thai", remote_link=n % 3 == 0,
                                         witness_ids=[witness.id])
        court_ops.assign_attendance(officer, event, witness, support)
    token = feed_ops.issue_feed_token(support, support)
    db.session.commit()
    return support, token


# ---- the floor: the same text with plain string formatting ------------------------------------------


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n"))


def _fold(line: str) -> str:
    if len(line) < 75 and line.isascii():
        return line
    parts, current, count = [], [], 0
    for char in line:
        size = len(char.encode())
        if current and count + size >= 75:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                parts.append("".join(current))
                current, count = [carried], len(carried.encode())
            else:
                parts.append("".join(current))
                current, count = [], 0
        current.append(char)
        count += size
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _interpreter_words(event_language: str | None, witness_language: str | None, booked: bool) -> str:
    """The witness's own interpreter language decides, else the event's; "not needed" without either."""
    language = (witness_language or "").strip() or (event_language or "").strip()
    if not language:
        return "not needed"
    return f"{language}, {'booked' if booked else 'not booked yet'}"


def _interpreter_lines(event: CourtEvent, member: Member) -> list[str]:
    if not member.interpreters:
        return ["Interpreter: " + _interpreter_words(event.interpreter_language, None, False)]
    if len(member.interpreters) == 1:
        _, language, booked = member.interpreters[0]
        return ["Interpreter: " + _interpreter_words(event.interpreter_language, language, booked)]
    return [f"Interpreter for {reference}: {_interpreter_words(event.interpreter_language, language, booked)}"
            for reference, language, booked in member.interpreters]


def plain_vevent(event: CourtEvent, member: Member) -> str:
    tz = ZoneInfo(member.timezone)
    refs = ", ".join(member.references)
    kind = label(event.kind)
    summary = kind + (" · " + refs if refs else "")
    if event.status == EventStatus.CANCELLED:
        summary = "Cancelled: " + summary
    description = "\n".join(
        [kind] + (["Witness: " + refs] if refs else []) + ["Court: " + event.court_name]
        + (["Room: " + event.room] if event.room else [])
        + _interpreter_lines(event, member) + ["Remote link: " + ("yes" if event.remote_link else "no")]
    )
    location = ", ".join(p for p in (event.court_name, event.room) if p)
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{_escape(summary)}",
        f"DTSTART;TZID={member.timezone}:{event.starts_at.astimezone(tz):%Y%m%dT%H%M%S}",
        f"DTEND;TZID={member.timezone}:{event.ends_at.astimezone(tz):%Y%m%dT%H%M%S}",
        f"DTSTAMP:{event.updated_at.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        f"UID:court-event-{event.id}@{HOST}",
        f"SEQUENCE:{event.revision}",
        "CLASS:PRIVATE",
    ]
    if location:
        lines.append(f"DESCRIPTION:{_escape(description)}")
        lines.append(f"LOCATION:{_escape(location)}")
    else:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    lines += [f"STATUS:{'CANCELLED' if event.status == EventStatus.CANCELLED else 'CONFIRMED'}",
              "TRANSP:OPAQUE", "END:VEVENT"]
    return "".join(_fold(line) + "\r\n" for line in lines)


def first_difference(floor: str, reference: str) -> str:
    """Where the floor's text first differs from the feed's: the line number and both lines."""
    ours, theirs = floor.split("\r\n"), reference.split("\r\n")
    for number, (a, b) in enumerate(zip(ours, theirs, strict=False), start=1):
        if a != b:
            return f"line {number} differs: the floor wrote {a!r}, the feed {b!r}"
    return (f"the floor has {len(ours)} lines, the feed {len(theirs)}; first extra line: "
            f"{(ours[len(theirs):] or theirs[len(ours):])[0]!r}")


def plain_calendar(members: list[Member], events: dict[int, CourtEvent], vtimezone: str) -> str:
    header = ical._header(True)
    return header + vtimezone + "".join(plain_vevent(events[m.event_id], m) for m in members) + "END:VCALENDAR\r\n"


# ---- timing ------------------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
            "RATELIMIT_ENABLED": False, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024,
            "IDENTITY_KEYS": "YmVuY2gtaWRlbnRpdHkta2V5LW5vdC1mb3ItcHJvZCE=", "IDENTITY_INDEX_KEY": "bench-index-key",
            "FEED_UID_HOST": HOST,
        })
        with app.app_context():
            db.create_all()
            user, token = seed(args.events)
            members = feed_ops.feed_members(user)
            assert len(members) == args.events
            events = {e.id: e for e in db.session.execute(db.select(CourtEvent)).scalars()}
            def preloaded(ids: list[int]) -> dict[int, CourtEvent]:
                return {i: events[i] for i in ids}

            years = ical.zone_years((m.timezone, t.year) for m in members for t in (m.starts_at, m.ends_at))
            vtimezone = ical.build_vtimezone(ZONE, *years[ZONE])

            reference = ical.render_calendar(members, HOST, loader=preloaded)
            floor_text = plain_calendar(members, events, vtimezone)
            assert floor_text == reference, "the floor must write the very same bytes: " + first_difference(
                floor_text, reference)

            def cold() -> None:
                ical.clear_caches()
                ical.render_calendar(members, HOST, loader=preloaded)

            counter = [0]

            def one_changed() -> None:
                # A new revision of one event: its cache key changes, the other 199 are hits.
                counter[0] += 1
                index = counter[0] % len(members)
                changed = list(members)
                changed[index] = replace(members[index], revision=1000 + counter[0])
                ical.render_calendar(changed, HOST, loader=preloaded)

            def floor() -> None:
                plain_calendar(members, events, ical.cached_vtimezone(ZONE, *years[ZONE]))

            def real_poll_one_changed() -> None:
                counter[0] += 1
                index = counter[0] % len(members)
                fresh = feed_ops.feed_members(user)
                fresh[index] = replace(fresh[index], revision=1000 + counter[0])
                ical.render_calendar(fresh, HOST)

            ical.render_calendar(members, HOST, loader=preloaded)  # warm
            results: dict[str, list[float]] = {"cold": [], "one_changed": [], "floor": [], "poll": []}
            for _ in range(args.rounds):
                results["cold"].append(timed(cold))
                results["floor"].append(timed(floor))
                ical.render_calendar(members, HOST, loader=preloaded)  # re-warm after the cold build
                results["one_changed"].append(timed(one_changed))
                results["floor"].append(timed(floor))
                results["poll"].append(timed(real_poll_one_changed))

            client = app.test_client()
            url = f"/feeds/{token}.ics"
            etag = client.get(url).headers["ETag"]
            cpu_per_poll = []
            for _ in range(5):
                started = time.process_time()
                for _ in range(args.requests):
                    client.get(url, headers={"If-None-Match": etag})
                cpu_per_poll.append((time.process_time() - started) / args.requests)
            assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
            db.session.remove()
            db.engine.dispose()

    med = {k: statistics.median(v) for k, v in results.items()}
    floor_ms = med["floor"] * 1000
    print(f"feed of {args.events} events, {args.rounds} rounds, medians (A B A B interleaved)")
    print(f"(c) plain-string floor          {floor_ms:8.2f} ms")
    print(f"(a) cold build, icalendar       {med['cold'] * 1000:8.2f} ms  = {med['cold'] / med['floor']:5.1f} x floor")
    print(f"(b) one event changed, cached   {med['one_changed'] * 1000:8.2f} ms  = "
          f"{med['one_changed'] / med['floor']:5.2f} x floor (target <= 3)")
    print(f"    real poll (query + load 1)  {med['poll'] * 1000:8.2f} ms  = {med['poll'] / med['floor']:5.2f} x floor")
    cpu = statistics.median(cpu_per_poll)
    share = 10_000 / (15 * 60) * cpu
    print(f"(d) 304 path {cpu * 1000:8.3f} ms CPU per poll: 10,000 subscribers every 15 minutes take "
          f"{share:.2%} of one worker (target < 5 %)")


if __name__ == "__main__":
    main()
