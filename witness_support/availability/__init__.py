"""A witness's dates to avoid: the days they cannot attend court, and why.

A package of its own, below court: scheduling a court event reads these dates to warn the
scheduler, and the contact log (which records court attendance outcomes) sits above court, so the
dates cannot live with the contacts without a cycle between the two.
"""
