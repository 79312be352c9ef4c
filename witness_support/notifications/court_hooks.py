"""Court events tell witnesses about hearings and keep impact-statement dates in step.

Connected to `court.signals.event_changed` at app start-up (create_app). Both receivers only write
rows in the same transaction as the court change (a notice in the outbox, a date on a statement);
nothing is sent before the commit: the sweep delivers the notice afterwards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..court.models import CourtEvent
from ..court.signals import event_changed
from ..outcomes.operations import set_sentencing_date
from .operations import notify_hearing_change

_HEARING_CHANGES = {"created": "set", "moved": "moved", "cancelled": "cancelled"}
# Hearings a victim is told about. A familiarisation visit is arranged with the witness in
# person, and a mention is administrative: neither is news to send.
_NOTIFIED_KINDS = frozenset(
    {"pre_trial_hearing", "trial_day", "verdict", "sentencing", "appeal_hearing", "parole_hearing"}
)


def _on_event_changed(event: CourtEvent, *, action: str, old_starts_at: datetime | None = None, **_: Any) -> None:
    change = _HEARING_CHANGES.get(action)
    if change and event.kind in _NOTIFIED_KINDS:
        notify_hearing_change(
            event.case_id,
            change,
            event_id=event.id,
            old_start=old_starts_at,
            new_start=None if change == "cancelled" else event.starts_at,
            court_timezone=event.case.court_timezone,
        )
    if event.kind == "sentencing" and action in ("created", "moved"):
        set_sentencing_date(event.case_id, event.starts_at.astimezone(_zone(event)).date())


def _zone(event: CourtEvent):  # noqa: ANN202 - a tzinfo
    from zoneinfo import ZoneInfo

    return ZoneInfo(event.case.court_timezone)


def connect() -> None:
    event_changed.connect(_on_event_changed, weak=False)
