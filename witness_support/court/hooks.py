"""How court support reacts to the witnesses and cases packages (connected at app start-up).

The receivers run inside the sender's operation and transaction, and only propose or recompute
rows; nothing is sent from here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..cases.models import Journey
from ..cases.signals import journey_started
from ..witnesses.models import Witness
from ..witnesses.signals import child_status_changed, listing_by_court_date
from .operations import propose_child_aids, refresh_next_court_dates


def _journey_started(journey: Journey, *, actor: Any = None, **_: Any) -> None:
    propose_child_aids(actor, journey.witness, journey.case)


def _child_status_changed(witness: Witness, *, actor: Any = None, **_: Any) -> None:
    propose_child_aids(actor, witness)


def _listing_by_court_date(_sender: Any, *, now: datetime, **__: Any) -> None:
    refresh_next_court_dates(now=now)


def connect() -> None:
    journey_started.connect(_journey_started, weak=False)
    child_status_changed.connect(_child_status_changed, weak=False)
    listing_by_court_date.connect(_listing_by_court_date, weak=False)
