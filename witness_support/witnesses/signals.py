"""Signals the witnesses package sends, for other packages to react without being imported here.

Receivers are connected at app start-up (`create_app`); they run in the sender's transaction.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with the witness (and `actor=`) after a change of birth date, presumed child or age
# assessment: a witness who is now a child may need the standard child aids (court proposes them).
child_status_changed = _signals.signal("witness-child-status-changed")

# Sent (no arguments) before the witness list ordered by next court date is read, so that the
# package that keeps `Witness.next_court_at` can first refresh the dates that have passed.
listing_by_court_date = _signals.signal("witness-listing-by-court-date")

# Sent with the witness (and `user=`, `now=`) to collect the witness page's timeline; a receiver
# returns the list of entries (the main package gathers them from every area).
timeline_wanted = _signals.signal("witness-timeline-wanted")
