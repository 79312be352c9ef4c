"""The main package answers the witness page's call for a timeline (connected at app start-up):
the timeline gathers entries from every area, so it lives above them, not in witnesses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..witnesses.models import Witness
from ..witnesses.signals import timeline_wanted
from .timeline import Entry, witness_timeline


def _timeline_wanted(witness: Witness, *, user: Any, now: datetime, **_: Any) -> list[Entry]:
    return witness_timeline(user, witness, now)


def connect() -> None:
    timeline_wanted.connect(_timeline_wanted, weak=False)
