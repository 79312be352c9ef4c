"""How outcomes react to court support (connected at app start-up): a sentencing hearing
scheduled or moved sets the date the victim impact statements are due for."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from ..court.models import CourtEvent
from ..court.signals import event_changed
from .operations import set_sentencing_date


def _on_event_changed(event: CourtEvent, *, action: str, **_: Any) -> None:
    if event.kind == "sentencing" and action in ("created", "moved"):
        set_sentencing_date(event.case_id, event.starts_at.astimezone(ZoneInfo(event.case.court_timezone)).date())


def connect() -> None:
    event_changed.connect(_on_event_changed, weak=False)
