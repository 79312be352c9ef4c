"""Services' receivers of other areas' signals, connected at app start-up (create_app): a journey
closes only once its sustainable-protection review is recorded."""

from __future__ import annotations

from typing import Any

from ..cases.models import Journey
from ..cases.signals import journey_closing
from .operations import check_close


def _on_closing(journey: Journey, **_: Any) -> None:
    check_close(journey)


def connect() -> None:
    journey_closing.connect(_on_closing, weak=False)
