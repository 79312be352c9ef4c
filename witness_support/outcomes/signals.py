"""Signals the outcomes package sends, for other packages to react without being imported here.

Receivers are connected at app start-up (`create_app`); they run in the sender's transaction.
"""

from __future__ import annotations

from enum import StrEnum

from blinker import Namespace

_signals = Namespace()


class News(StrEnum):
    """What a victim must hear about an outcome (the notifications package tells them)."""

    VERDICT = "verdict"
    SENTENCE = "sentence"
    APPEAL_LODGED = "appeal_lodged"
    APPEAL_OUTCOME = "appeal_outcome"
    RELEASED = "released"
    ESCAPED = "escaped"
    RECALLED = "recalled"


# Sent with the Outcome and `news=` (a News), `key=` (identifies this piece of news: sent twice,
# it is told once), `context=` (what the notice says) and `triggered_at=`.
outcome_news = _signals.signal("outcome-news")

# Sent with the Outcome as sender, `actor=` and `changed=` (the names of the fields this save set or
# changed) when an outcome is recorded or changed, inside the operation and before the commit: a
# receiver changes what it owns in the same transaction (remedies opens a claim for a compensation
# order), so a rolled-back outcome leaves nothing behind.
outcome_saved = _signals.signal("outcome-saved")
