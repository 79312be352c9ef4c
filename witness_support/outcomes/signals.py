"""Signals other areas subscribe to instead of being imported by outcome operations.

`outcome_saved` is sent with the Outcome as sender (and `actor`, and `changed`: the names of the
fields this save set or changed) when an outcome is recorded or changed, inside the operation and
before the commit: a receiver changes what it owns in the same transaction (remedies opens a
claim for a compensation order), so a rolled-back outcome leaves nothing behind.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

outcome_saved = _signals.signal("outcome-saved")
