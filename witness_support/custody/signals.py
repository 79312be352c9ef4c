"""Signals other areas subscribe to instead of being imported by custody operations.

`custody_recorded` is sent with the new CustodyEvent as sender (and `actor`) inside the operation,
before the commit: receivers queue their side effects (notices in the outbox, tasks) in the same
transaction, so a rolled-back entry tells nobody.

`enrolment_changed` is sent with the Enrolment as sender (and `actor`) when a witness's choice about
offender notices after the case changes; an opt-out must cancel notices queued and not yet sent.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

custody_recorded = _signals.signal("custody-recorded")
enrolment_changed = _signals.signal("custody-enrolment-changed")
