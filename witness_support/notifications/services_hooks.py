"""Each pass of the notifications sweep raises the services' follow-up tasks (unanswered
referrals, service-plan reviews). Connected at app start-up (create_app); the receiver lives here
because services sits below notifications in the layers and may not import its signals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..services.reminders import raise_due_tasks
from .signals import sweep_started


def _on_sweep(today: date, *, now: datetime | None = None, **_: Any) -> None:
    raise_due_tasks(today, now)


def connect() -> None:
    sweep_started.connect(_on_sweep, weak=False)
