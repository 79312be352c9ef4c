"""Signals other areas subscribe to instead of being imported by the notifications sweep.

`sweep_started` is sent once per pass of `flask notifications send-due`, with the date in
NOTIFICATION_TIMEZONE as sender (and `now`), before the due notices are sent. A receiver raises the
reminders of its own area (as tasks) and flushes; the sweep commits after it, and rolls back a
receiver's work when a concurrent sweep raised the same reminder first (unique task keys).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

sweep_started = _signals.signal("notifications-sweep-started")
