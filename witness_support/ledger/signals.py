"""Signals other areas subscribe to instead of being imported by the ledger.

`schedule_building` is sent while a disclosure schedule is built, with the list of its witnesses'
ids as sender (and `case_id`, None for one witness's schedule). A receiver returns
{witness id: {"claims": [DisclosedClaim, …], "pending_charges": n}}: what the defence may ask about
that is not a benefit, so it is listed beside the ledger and never counted in its totals.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

schedule_building = _signals.signal("ledger-schedule-building")
