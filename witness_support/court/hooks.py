"""How court support reacts to the witnesses and aids packages (connected at app start-up).

The receivers run inside the sender's operation and transaction, and only recompute or answer;
nothing is sent from here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..aids.signals import age_counts_on
from ..cases.models import Case
from ..witnesses.signals import listing_by_court_date
from .operations import first_trial_date, refresh_next_court_dates


def _listing_by_court_date(_sender: Any, *, now: datetime, **__: Any) -> None:
    refresh_next_court_dates(now=now)


def _age_counts_on(case: Case, **_: Any) -> date | None:
    """A child's aids are decided by their age on the case's first trial day."""
    return first_trial_date(case)


def connect() -> None:
    listing_by_court_date.connect(_listing_by_court_date, weak=False)
    age_counts_on.connect(_age_counts_on, weak=False)
