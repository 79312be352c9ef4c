"""Signals of the aids area.

`age_counts_on` is sent with a Case as sender when deciding whether a witness counts as a child in
that case. A receiver answers the date on which the witness's age counts (the court calendar answers
the case's first trial day that is not cancelled) or None. Aids sit below the court calendar, so
they ask instead of importing it; with no answer, the witness's age today counts.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

age_counts_on = _signals.signal("aids-age-counts-on")
