"""The time zones the app accepts: real IANA zone names, not whatever the host's zoneinfo holds.

`zoneinfo.available_timezones()` lists every file under the system's zoneinfo folder, which
includes `localtime` (the server's own zone, a different one on every host) and `Factory` (no
zone at all). Courts are in real places: the list is the IANA zones the tzdata package ships.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

NOT_PLACES = frozenset({"Factory", "localtime", "posixrules"})


@cache
def iana_timezones() -> frozenset[str]:
    try:
        names = set(resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split())
    except (ModuleNotFoundError, FileNotFoundError):  # no tzdata package: the system's list
        names = set(available_timezones())
    return frozenset(names - NOT_PLACES)


def is_iana_timezone(name: object) -> bool:
    """True for 'Asia/Jakarta' or 'UTC'; False for 'localtime', 'Factory', '../etc/passwd', ''."""
    if not isinstance(name, str) or name not in iana_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
