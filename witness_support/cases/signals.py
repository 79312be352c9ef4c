"""Signals the cases package sends, for other packages to react without being imported here.

Receivers are connected at app start-up (`create_app`); they run in the sender's transaction.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with the new journey (and `actor=`) once a witness is linked to a case: a child witness
# gets the standard child aids proposed in that case (court proposes them).
journey_started = _signals.signal("journey-started")

# Sent with the journey (and `actor=`) when it is about to close, after the stage rules passed and
# before anything changed: a receiver refuses the close by raising OperationError (services: the
# sustainable-protection review of the journey must be recorded first).
journey_closing = _signals.signal("journey-closing")
