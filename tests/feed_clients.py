"""Two independent calendar clients for the feed tests: Mozilla's ical.js under Node.js (what
Thunderbird runs) and Python's vobject. Each returns the events as the client sees them."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC
from pathlib import Path
from typing import Any

import vobject

from tests.node_tools import node_modules

DUMP_SCRIPT = Path(__file__).resolve().parent / "ical_dump.mjs"


def ical_js(text: str) -> dict[str, Any]:
    """{"properties": {...}, "events": [{uid, start, end, tzid, summary, status, sequence}]} from ical.js."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js is needed to run ical.js for the calendar-feed tests")
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [node, str(DUMP_SCRIPT), str(node_modules())], input=text, capture_output=True, text=True,
        check=True, timeout=120,
    )
    return json.loads(result.stdout)


def _iso(value: Any) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def vobject_events(text: str) -> list[dict[str, Any]]:
    calendar = vobject.readOne(text)
    events = []
    for event in getattr(calendar, "vevent_list", []):
        events.append({
            "uid": event.uid.value,
            "start": _iso(event.dtstart.value),
            "end": _iso(event.dtend.value),
            "summary": event.summary.value,
            "status": event.status.value,
            "sequence": int(event.sequence.value),
        })
    return events


def both_clients(text: str) -> list[dict[str, Any]]:
    """The events as ical.js sees them, after checking that vobject sees exactly the same."""
    js = ical_js(text)["events"]
    py = vobject_events(text)
    fields = ("uid", "start", "end", "summary", "status", "sequence")
    assert [{k: e[k] for k in fields} for e in js] == [{k: e[k] for k in fields} for e in py]
    return js
