"""Signals the cases package sends, for other packages to react without being imported here.

Receivers are connected at app start-up (`create_app`); they run in the sender's transaction.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with the new journey (and `actor=`) once a witness is linked to a case: a child witness
# gets the standard child aids proposed in that case (court proposes them).
journey_started = _signals.signal("journey-started")
