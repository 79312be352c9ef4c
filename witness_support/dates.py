"""The range every accepted date and time must fall in, by what it means, in one place.

Python's dates run from year 1 to 9999, and a form or JSON body can reach both ends: a court event
in year 9999 once made every feed on its case fail (its end plus the feed's 30-day window does not
exist), and "0001-01-01T00:00+14:00" has no UTC instant at all. So every operation that takes a date
checks it here against the range of its meaning, before anything else uses it (an addition, a
conversion to UTC, a comparison with a stored row), and refuses it next to the field. Forms and the
API reach the same operations, so they agree; an API layer may call `check_date` earlier too.

The ranges (relative to today in UTC; docs/security.md lists them with the reasons):

=================  ==========================  ===========================================
rule               earliest                    latest
=================  ==========================  ===========================================
birth              1900-01-01                  today
reflection         10 years ago                2 years ahead
risk_assessed      10 years ago                today
risk_review        1 year ago                  2 years ahead
benefit            1990-01-01                  tomorrow (a day of time zones' grace)
benefit_until      1990-01-01                  10 years ahead
disclosure         1990-01-01                  tomorrow
court_event        10 years ago                10 years ahead
court_past         50 years ago                tomorrow     (sentence, appeal lodged, custody, aid)
court_future       50 years ago                10 years ahead   (appeal deadline, hearings, dues)
release            50 years ago                100 years ahead  (a long sentence's release)
release_ahead      yesterday                   100 years ahead  (a proposed release, when set or changed)
assignment         10 years ago                10 years ahead
search             1900-01-01                  10 years ahead   (filters: never stored)
stored             1900-01-01                  100 years ahead  (what a feed will show of a stored row)
=================  ==========================  ===========================================
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from .db import today_utc
from .errors import ValidationFailed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DateRule:
    """A range of acceptable dates: each end either a fixed date or a number of years from today."""

    earliest: date | int  # a date, or years before today
    latest: date | int  # a date, or years after today (0: today itself)
    too_early: str
    too_late: str
    grace_days: int = 0  # added to `latest`: "not in the future" allows for the time zones ahead of UTC
    early_grace_days: int = 0  # taken from `earliest`: "not in the past" allows for the zones behind UTC

    def bounds(self, today: date | None = None) -> tuple[date, date]:
        today = today or today_utc()
        low = self.earliest if isinstance(self.earliest, date) else _years(today, -self.earliest)
        high = self.latest if isinstance(self.latest, date) else _years(today, self.latest)
        return low - timedelta(days=self.early_grace_days), high + timedelta(days=self.grace_days)


def _years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


RULES: dict[str, DateRule] = {
    "birth": DateRule(date(1900, 1, 1), 0, "Check the year of birth: no earlier than 1900.",
                      "The date of birth cannot be in the future."),
    "reflection": DateRule(10, 2, "A reflection period starts within the last 10 years.",
                           "A reflection period is at most 2 years ahead."),
    "risk_assessed": DateRule(10, 0, "An assessment is dated within the last 10 years.",
                              "An assessment cannot be dated in the future."),
    "risk_review": DateRule(1, 2, "The next review cannot be more than a year ago.",
                            "Review within the next 2 years."),
    "benefit": DateRule(date(1990, 1, 1), 0, "Benefits are recorded from 1990 on.",
                        "A benefit cannot be recorded before it is provided.", grace_days=1),
    "benefit_until": DateRule(date(1990, 1, 1), 10, "Benefits are recorded from 1990 on.",
                              "At most 10 years ahead."),
    "disclosure": DateRule(date(1990, 1, 1), 0, "Disclosures are recorded from 1990 on.",
                           "The disclosure cannot be in the future.", grace_days=1),
    "court_event": DateRule(10, 10, "A court event is within 10 years of today; check the year.",
                            "A court event is within 10 years of today; check the year."),
    "court_past": DateRule(50, 0, "Within the last 50 years; check the year.",
                           "This date cannot be in the future.", grace_days=1),
    "court_future": DateRule(50, 10, "Within the last 50 years; check the year.",
                             "At most 10 years ahead; check the year."),
    "release": DateRule(50, 100, "Within the last 50 years; check the year.",
                        "At most 100 years ahead; check the year."),
    "release_ahead": DateRule(0, 100, "A proposed release date cannot be in the past; record a release that "
                                      "has happened as a custody change.",
                              "At most 100 years ahead; check the year.", early_grace_days=1),
    "assignment": DateRule(10, 10, "Within the last 10 years; check the year.",
                           "At most 10 years ahead; check the year."),
    "search": DateRule(date(1900, 1, 1), 10, "No earlier than 1900.", "At most 10 years ahead."),
    "stored": DateRule(date(1900, 1, 1), 100, "No earlier than 1900.", "At most 100 years ahead."),
}


def date_error(value: date | datetime | None, rule: str, today: date | None = None) -> str | None:
    """The message for a date outside its rule's range, or None (None is for the caller to judge)."""
    if value is None:
        return None
    day = value
    if isinstance(value, datetime):
        try:
            day = value.astimezone(UTC).date() if value.tzinfo else value.date()
        except OverflowError:  # no UTC instant: at one end of the calendar, out of every range
            day = value.date()
    spec = RULES[rule]
    low, high = spec.bounds(today)
    if day < low:
        return spec.too_early
    if day > high:
        return spec.too_late
    return None


def check_date(errors: dict[str, str], field: str, value: date | datetime | None, rule: str) -> bool:
    """Add the field's message to `errors` when the value is out of range; True when it is fine."""
    message = date_error(value, rule)
    if message and field not in errors:
        errors[field] = message
    return message is None


def require_dates(rule_by_field: dict[str, str], values: dict[str, date | datetime | None]) -> None:
    """Refuse at once (ValidationFailed) if any of the given values is out of its range."""
    errors: dict[str, str] = {}
    for field, rule in rule_by_field.items():
        check_date(errors, field, values.get(field), rule)
    if errors:
        raise ValidationFailed(errors)


def local_to_utc(field: str, value: datetime, tz: str, rule: str = "court_event") -> datetime:
    """A typed time (naive: the court's wall clock; aware: as given) as a UTC instant, range-checked
    first: an instant near year 1 or 9999 may have no UTC equivalent (OverflowError)."""
    message = date_error(value.replace(tzinfo=None), rule)
    if message is None:
        try:
            aware = value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(tz))
            return aware.astimezone(UTC)
        except (OverflowError, ValueError):
            message = RULES[rule].too_late if value.year > 5000 else RULES[rule].too_early
    raise ValidationFailed({field: message})


class InRange:
    """A WTForms validator for a date that filters rather than records (nothing checks it later)."""

    def __init__(self, rule: str) -> None:
        self.rule = rule

    def __call__(self, form: object, field: object) -> None:
        from wtforms.validators import ValidationError  # only forms need WTForms

        message = date_error(getattr(field, "data", None), self.rule)
        if message:
            raise ValidationError(message)


def as_local(value: datetime, tz: str | ZoneInfo) -> datetime:
    """A stored instant on a wall clock, for display. A row written past the checks (near year 1
    or 9999) may have no local equivalent: it is shown in UTC and logged (by id-free message), so
    that one odd row never fails a page or a feed."""
    try:
        return value.astimezone(tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz))
    except OverflowError:
        log.warning("a stored time at the edge of the calendar is shown in UTC")
        return value


def showable(value: datetime) -> bool:
    """Whether a stored instant is in the range any output (a feed's time zones) can represent."""
    return date_error(value, "stored") is None
