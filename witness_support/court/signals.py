"""Signals other areas subscribe to instead of being imported by court operations.

`event_changed` is sent with the CourtEvent as sender and `action` one of created, moved, cancelled,
held, updated (plus `actor`, and for a move `old_starts_at`/`old_ends_at`). It is sent inside the
operation, before the commit: a receiver should queue its side effect (a notice, an email) and act
only after the commit succeeds, as witness_support.mail does.

`readiness_checking` is sent once per readiness computation with the list of (event id, witness id,
trial day in the court's calendar) as sender. A receiver returns a list of `ReadinessFinding`s
(court.readiness) for those pairs: a blocker, or a note shown to the prosecutor that does not block.
Other areas add their rules this way without the court importing them.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

event_changed = _signals.signal("court-event-changed")
readiness_checking = _signals.signal("court-readiness-checking")
