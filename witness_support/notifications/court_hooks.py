"""Witnesses hear of hearings (court events) and of outcomes (verdicts, sentences, appeals, custody).

Connected to `court.signals.event_changed` and `outcomes.signals.outcome_news` at app start-up
(create_app). The receivers only write rows in the same transaction as the change (a notice in
the outbox); nothing is sent before the commit: the sweep delivers the notice afterwards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..court.models import CourtEvent
from ..court.signals import event_changed
from ..outcomes.models import Outcome
from ..outcomes.signals import outcome_news
from .models import Kind
from .operations import case_witness_ids, notify_hearing_change, queue_notice

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


def context_for(context: dict[str, Any], witness_id: int) -> dict[str, Any]:
    """What one witness's notice row stores: a compensation order (its amount, currency, due date and
    whom it is for) only in the row of the witness it is for. Stored rows are read by officers,
    the API and backups: another witness's row never holds the amount, not merely hides it."""
    if context.get("compensation_for") == witness_id:
        return context
    return {name: value for name, value in context.items() if not name.startswith("compensation_")}


def _on_outcome_news(outcome: Outcome, *, news: str, key: str, context: dict[str, Any], triggered_at: datetime,
                     **_: Any) -> None:
    kind = Kind(news)
    for witness_id in case_witness_ids(outcome.case_id, kind):
        queue_notice(witness_id, kind, context=context_for(context, witness_id), triggered_at=triggered_at,
                     case_id=outcome.case_id, dedup_key=f"{key}:w{witness_id}")


def connect() -> None:
    event_changed.connect(_on_event_changed, weak=False)
    outcome_news.connect(_on_outcome_news, weak=False)
