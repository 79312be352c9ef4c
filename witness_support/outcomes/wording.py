"""How an outcome's history reads: one line per recorded change, in the words of the form.

A change is stored as {field: [before, after]}; shown raw it read "Verdict: Verdict — → convicted".
Here the first record reads "Verdict recorded: convicted; sentence imprisonment, …", and a later
change names only what moved ("Sentence changed: length in months 12 → 60").
"""

from __future__ import annotations

from typing import Any

from .models import OutcomeChange

FIELD_WORDS = {
    "verdict": "verdict",
    "charges": "charges",
    "sentence_kind": "sentence",
    "sentence_months": "length in months",
    "sentence_details": "sentence details",
    "sentenced_on": "sentenced on",
    "earliest_release_date": "earliest release date",
    "proposed_release_date": "proposed release date",
    "appeal_deadline": "appeal deadline",
    "appeal_lodged_by": "appeal lodged by",
    "appeal_lodged_on": "appeal lodged on",
    "appeal_outcome": "appeal outcome",
    "compensation_amount": "compensation ordered",
    "compensation_currency": "compensation currency",
    "compensation_due_on": "compensation to be paid by",
    "compensation_witness_id": "compensation order for witness",
    "custody": "custody",
    "custody_changed_on": "custody changed on",
}

KIND_WORDS = {
    "verdict": "Verdict changed",
    "sentence": "Sentence changed",
    "appeal_lodged": "Appeal lodged",
    "appeal_outcome": "Appeal decided",
    "release_date": "Release date changed",
    "custody": "Custody changed",
    "correction": "Corrected",
}


def _value(value: Any) -> str:
    if value is None or value == "":
        return "none"
    return str(value).replace("_", " ")


def change_summary(change: OutcomeChange) -> str:
    """One line for the history: what happened, then each field as "before → after"."""
    items = change.changes or {}
    first = change.kind == "verdict" and all(before in (None, "") for before, _ in items.values())
    head = "Verdict recorded" if first else KIND_WORDS.get(change.kind, change.kind.replace("_", " ").capitalize())
    parts = []
    for name, (before, after) in items.items():
        words = FIELD_WORDS.get(name, name.replace("_", " "))
        if first or before in (None, ""):
            parts.append(f"{words} {_value(after)}")
        elif after in (None, ""):
            parts.append(f"{words} {_value(before)} removed")
        else:
            parts.append(f"{words} {_value(before)} → {_value(after)}")
    return head + (": " + "; ".join(parts) if parts else "")
