"""iCalendar (RFC 5545 / RFC 7986) serialisation of feeds, with bounded in-process caches.

The `icalendar` package is correct but many times slower than plain string formatting
(docs/performance.md), so it runs once per event revision, not once per poll:

- `_EVENT_CACHE` holds each serialised VEVENT keyed by everything it depends on: host, event id,
  revision, DTSTAMP, the court's time zone and the witness references shown (`Member.key`).
  Every change a subscriber can see bumps the event's revision (court/operations.py `_bump`), so
  an entry can never go stale; old revisions simply age out.
- `_TZ_CACHE` holds each VTIMEZONE block keyed by (zone, first year, last year).

Both are LRU caches of bounded size (20,000 events: about 10 MB; 256 time-zone blocks), private
to each worker process; a cold worker rebuilds what it serves. The bench shows what they save
(docs/performance.md: a feed with one event changed against a cold build). Nothing in them
identifies a witness beyond what the feed itself carries.

What goes into an event is deliberately narrow: the witness's pseudonymous reference, the event
kind, court, room, interpreter language and whether there is a remote link. The serialiser never
loads a witness, case or defendant object, so no name, birth date, address or risk detail can
reach a feed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, date
from zoneinfo import ZoneInfo

import icalendar
import sqlalchemy as sa

from ..cache import LRUCache
from ..court import interpreting
from ..court.models import CourtEvent, EventStatus
from ..dates import showable
from ..extensions import db
from ..templating import label
from .operations import Member

log = logging.getLogger(__name__)

PRODID = "-//Witness support//Court schedule 1.0//EN"
CALENDAR_NAME = "Court schedule (witness support)"
CRLF = "\r\n"
# Part of every ETag: bump it when the serialised form changes, so clients refetch.
FORMAT_VERSION = "2"  # 2: the interpreter line says the language needed and whether one is booked


_EVENT_CACHE = LRUCache(20_000)
_TZ_CACHE = LRUCache(256)


def clear_caches() -> None:
    _EVENT_CACHE.clear()
    _TZ_CACHE.clear()


# ---- one event ---------------------------------------------------------------------------------


def _summary(event: CourtEvent, references: tuple[str, ...]) -> str:
    text = label(event.kind)
    if references:
        text += " · " + ", ".join(references)
    if event.status == EventStatus.CANCELLED:
        text = "Cancelled: " + text
    return text


def _location(event: CourtEvent) -> str:
    return ", ".join(part for part in (event.court_name, event.room) if part)


def _interpreter_lines(event: CourtEvent, member: Member) -> list[str]:
    """As the event page, readiness and the schedule say it (court.interpreting)."""
    needs = [(reference, interpreting.need(event.interpreter_language, language, booked))
             for reference, language, booked in member.interpreters]
    if not needs:
        return ["Interpreter: " + interpreting.need(event.interpreter_language, None, False).words]
    if len(needs) == 1:
        return ["Interpreter: " + needs[0][1].words]
    return [f"Interpreter for {reference}: {need.words}" for reference, need in needs]


def _description(event: CourtEvent, member: Member) -> str:
    references = member.references
    lines = [label(event.kind)]
    if references:
        lines.append("Witness: " + ", ".join(references))
    lines.append("Court: " + event.court_name)
    if event.room:
        lines.append("Room: " + event.room)
    lines.extend(_interpreter_lines(event, member))
    lines.append("Remote link: " + ("yes" if event.remote_link else "no"))
    return "\n".join(lines)


def build_vevent(event: CourtEvent, member: Member, host: str) -> str:
    """The VEVENT text of one event (with the calendar library; callers go through the cache)."""
    zone = ZoneInfo(member.timezone)
    component = icalendar.Event()
    component.add("uid", f"court-event-{event.id}@{host}")
    component.add("dtstamp", event.updated_at.astimezone(UTC))
    component.add("sequence", event.revision)
    component.add("dtstart", event.starts_at.astimezone(zone))
    component.add("dtend", event.ends_at.astimezone(zone))
    component.add("summary", _summary(event, member.references))
    location = _location(event)
    if location:
        component.add("location", location)
    component.add("description", _description(event, member))
    component.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    component.add("transp", "OPAQUE")
    component.add("class", "PRIVATE")
    return component.to_ical().decode()


def cached_vevents(members: list[Member], host: str, loader: Callable[[list[int]], dict[int, CourtEvent]] | None = None
                   ) -> list[str]:
    """The VEVENT texts of the members, building (in one query) only those not cached yet."""
    texts: list[str | None] = []
    missing: list[int] = []
    for member in members:
        text = _EVENT_CACHE.get((host, member.key))
        texts.append(text)
        if text is None:
            missing.append(member.event_id)
    if missing:
        events = (loader or _load_events)(missing)
        for index, member in enumerate(members):
            if texts[index] is None:
                text = build_vevent(events[member.event_id], member, host)
                _EVENT_CACHE.put((host, member.key), text)
                texts[index] = text
    return texts  # type: ignore[return-value]


def _load_events(ids: list[int]) -> dict[int, CourtEvent]:
    events: dict[int, CourtEvent] = {}
    for start in range(0, len(ids), 500):  # stay under every database's bound-parameter limit
        chunk = ids[start:start + 500]
        for event in db.session.execute(sa.select(CourtEvent).where(CourtEvent.id.in_(chunk))).scalars():
            events[event.id] = event
    return events


# ---- time zones --------------------------------------------------------------------------------


def _one_rdate_per_line(component: icalendar.Timezone) -> None:
    """Split every comma-separated RDATE into one property per value.

    Mozilla's ical.js (Thunderbird) reads only the first value of a multi-valued RDATE and then
    shows wrong times after the second transition; one value per line is equally valid RFC 5545.
    """
    for sub in component.subcomponents:
        rdates = sub.pop("RDATE", None)
        if rdates is None:
            continue
        values = []
        for item in rdates if isinstance(rdates, list) else [rdates]:
            values.extend(value.dt for value in item.dts)
        for value in values:
            sub.add("rdate", value)


def build_vtimezone(zone: str, first_year: int, last_year: int) -> str:
    component = icalendar.Timezone.from_tzid(zone, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31))
    _one_rdate_per_line(component)
    return component.to_ical().decode()


def cached_vtimezone(zone: str, first_year: int, last_year: int) -> str:
    key = (zone, first_year, last_year)
    text = _TZ_CACHE.get(key)
    if text is None:
        text = build_vtimezone(zone, first_year, last_year)
        _TZ_CACHE.put(key, text)
    return text


# ---- the calendar ------------------------------------------------------------------------------


def _header(subscription: bool) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:" + PRODID,
        "CALSCALE:GREGORIAN",
        "NAME:" + CALENDAR_NAME,
        "X-WR-CALNAME:" + CALENDAR_NAME,
    ]
    if subscription:
        lines += ["REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]
    return CRLF.join(lines) + CRLF


def render_calendar(members: list[Member], host: str, *, subscription: bool = True,
                    loader: Callable[[list[int]], dict[int, CourtEvent]] | None = None) -> str:
    """The whole calendar: header, one VTIMEZONE per zone used, the events (cached where possible)."""
    shown = [m for m in members if showable(m.starts_at) and showable(m.ends_at)]
    if len(shown) < len(members):  # written past the checks; the rest of the feed still serves
        log.warning("%d court event(s) at the edge of the calendar left out of a feed", len(members) - len(shown))
    members = shown
    years = zone_years(
        (member.timezone, moment.year) for member in members for moment in (member.starts_at, member.ends_at)
    )
    parts = [_header(subscription)]
    for zone in sorted(years):
        first, last = years[zone]
        parts.append(cached_vtimezone(zone, first, last))
    parts.extend(cached_vevents(members, host, loader))
    parts.append("END:VCALENDAR" + CRLF)
    return "".join(parts)


def zone_years(pairs: Iterable[tuple[str, int]]) -> dict[str, tuple[int, int]]:
    """{zone: (first year, last year)} from (zone, year) pairs; years widen by one each side so
    that an event near New Year in another offset is still covered."""
    years: dict[str, tuple[int, int]] = {}
    for zone, year in pairs:
        first, last = years.get(zone, (year, year))
        years[zone] = (min(first, year), max(last, year))
    return {zone: (first - 1, last + 1) for zone, (first, last) in years.items()}


def feed_etag(fingerprint: list[tuple], host: str) -> str:
    """A strong ETag from what the bytes depend on (operations.feed_fingerprint), without serialising."""
    digest = hashlib.sha256(repr((FORMAT_VERSION, host, fingerprint)).encode())
    return '"' + digest.hexdigest()[:40] + '"'
