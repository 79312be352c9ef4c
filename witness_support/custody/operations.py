"""The rules of custody: record an event (never edit one), and the witness's enrolment for
offender notices after the case. Each operation validates, changes, flushes, audits and sends its
signal; none commits."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from .. import audit
from ..auth.models import User
from ..cases import operations as case_ops
from ..cases.models import Case, Defendant, Journey, Stage
from ..db import utc_now
from ..errors import ValidationFailed
from ..extensions import db
from ..witnesses.models import Witness
from . import queries
from .models import (
    BAIL_KINDS,
    STATUS_AFTER,
    BailCondition,
    ConditionKind,
    CustodyEvent,
    Enrolment,
    EventKind,
)
from .signals import custody_recorded, enrolment_changed

# A clock a few minutes fast on the entering machine is not "in the future".
_CLOCK_SKEW = timedelta(minutes=5)
# Conditions whose meaning is in their text.
_NEEDS_TEXT = frozenset({ConditionKind.EXCLUSION_ZONE, ConditionKind.CURFEW, ConditionKind.REPORTING,
                         ConditionKind.RESIDENCE})


def local_date(value: datetime, case: Case) -> date:
    return value.astimezone(ZoneInfo(case.court_timezone)).date()


def _check_conditions(case: Case, kind: str, conditions: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """The conditions, cleaned; or the first problem in words."""
    if conditions and kind not in BAIL_KINDS:
        return [], "Only a bail decision (released on bail, bail varied) carries conditions."
    case_witnesses = dict(db.session.execute(
        sa.select(Journey.witness_id, Witness.reference).join(Witness, Witness.id == Journey.witness_id)
        .where(Journey.case_id == case.id)
    ).all())
    cleaned = []
    for number, item in enumerate(conditions, start=1):
        if not isinstance(item, dict):
            return [], f"Condition {number}: give its kind and details."
        ckind, text = item.get("kind"), (item.get("text") or "").strip()
        witness_id = item.get("witness_id")
        if ckind not in set(ConditionKind):
            return [], f"Condition {number}: choose one of " + ", ".join(ConditionKind) + "."
        if len(text) > 500:
            return [], f"Condition {number}: at most 500 characters."
        if ckind == ConditionKind.NO_CONTACT and witness_id is None:
            return [], f"Condition {number}: name the witness the defendant must not contact."
        if witness_id is not None and witness_id not in case_witnesses:
            # The same words whether the witness exists elsewhere or not at all.
            return [], f"Condition {number}: that witness is not a witness in case {case.reference}."
        if ckind in _NEEDS_TEXT and not text:
            return [], f"Condition {number}: describe the {ckind.replace('_', ' ')}."
        cleaned.append({"kind": ckind, "text": text, "witness_id": witness_id})
    return cleaned, ""


def record_custody_event(  # noqa: C901 - one check per rule, each with its own message
    actor: User,
    defendant: Defendant,
    *,
    kind: str,
    occurred_at: datetime | None,
    source: str,
    learned_at: datetime | None = None,
    note: str = "",
    release_date: date | None = None,
    hearing_on: date | None = None,
    corrects_id: int | None = None,
    conditions: list[dict[str, Any]] | None = None,
) -> CustodyEvent:
    """Append one event to the defendant's custody history; a correction names the wrong entry.

    The defendant's custody status follows the latest standing event; witnesses are told and
    officers tasked by the receivers of `custody_recorded`.
    """
    case = defendant.case
    now = utc_now()
    learned_at = learned_at or now
    source, note = (source or "").strip(), (note or "").strip()
    errors: dict[str, str] = {}
    if kind not in set(EventKind):
        errors["kind"] = "Choose what happened from the list."
    if occurred_at is None:
        errors["occurred_at"] = "Give when it happened (court time)."
    elif occurred_at.tzinfo is None:
        raise ValueError("occurred_at must be timezone-aware")
    elif occurred_at > now + _CLOCK_SKEW:
        errors["occurred_at"] = "This cannot be in the future: record a scheduled hearing as a parole hearing."
    if learned_at.tzinfo is None:
        raise ValueError("learned_at must be timezone-aware")
    if learned_at > now + _CLOCK_SKEW:
        errors["learned_at"] = "When you learned it cannot be in the future."
    elif occurred_at is not None and occurred_at.tzinfo and learned_at < occurred_at:
        errors["learned_at"] = "It cannot have been learned before it happened."
    if not source:
        errors["source"] = "Say where this came from (court, police, prison, probation…)."
    elif len(source) > 200:
        errors["source"] = "At most 200 characters."
    if len(note) > 2000:
        errors["note"] = "At most 2000 characters."
    today = now.astimezone(ZoneInfo(case.court_timezone)).date()
    if kind == EventKind.PAROLE_HEARING:
        if hearing_on is None:
            errors["hearing_on"] = "Give the date of the parole or licence hearing."
        elif hearing_on < today:
            errors["hearing_on"] = "The hearing date is in the past: give the date it is scheduled for."
    elif hearing_on is not None:
        errors["hearing_on"] = "Only a parole or licence hearing has a hearing date."
    if release_date is not None:
        if kind not in (EventKind.SENTENCED, EventKind.RELEASED, EventKind.TEMPORARY_RELEASE):
            errors["release_date"] = "Only a sentence, a release or a temporary release has a release date."
        elif occurred_at is not None and occurred_at.tzinfo and release_date < local_date(occurred_at, case):
            what = "sentence" if kind == EventKind.SENTENCED else "release"
            errors["release_date"] = f"The release date is before the {what} date."
    corrected = None
    if corrects_id is not None:
        corrected = db.session.get(CustodyEvent, corrects_id)
        if corrected is None or corrected.defendant_id != defendant.id:
            errors["corrects_id"] = "Choose an entry of this defendant's history to correct."
        elif not note:
            errors["note"] = "Say what was wrong with the entry this corrects."
    cleaned, problem = _check_conditions(case, kind, conditions or [])
    if problem:
        errors["conditions"] = problem
    if errors:
        raise ValidationFailed(errors)
    event = CustodyEvent(
        defendant_id=defendant.id, case_id=case.id, kind=kind, occurred_at=occurred_at, learned_at=learned_at,
        source=source, note=note, release_date=release_date, hearing_on=hearing_on, corrects_id=corrects_id,
        entered_by_id=actor.id, entered_at=now,
    )
    db.session.add(event)
    db.session.flush()
    for item in cleaned:
        db.session.add(BailCondition(event_id=event.id, **item))
    db.session.flush()
    db.session.refresh(event, ["conditions"])
    current = queries.current_event(queries.history(defendant.id))
    status = STATUS_AFTER.get(current.kind) if current is not None else None
    if status and status != defendant.custody_status:
        case_ops.set_custody_status(actor, defendant, status)
    # The trail says what kind of entry, never the conditions' text (it may name places).
    audit.record("custody.record", event, actor=actor, details={
        "defendant_id": defendant.id, "case_id": case.id, "kind": kind, "corrects_id": corrects_id,
        "conditions": [c["kind"] for c in cleaned],
    })
    custody_recorded.send(event, actor=actor, corrected=corrected)
    return event


# ---- enrolment for offender notices after the case ----------------------------------------------


def set_enrolment(actor: User, witness: Witness, case: Case, *, enrolled: bool, reason: str = "") -> Enrolment:
    """Record the witness's choice; an opt-out cancels their queued, unsent notices at once."""
    journey = db.session.execute(
        sa.select(Journey).where(Journey.witness_id == witness.id, Journey.case_id == case.id)
    ).scalar_one_or_none()
    if journey is None:
        raise ValidationFailed({"case_id": f"{witness.reference} is not a witness in this case."})
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise ValidationFailed({"reason": "At most 2000 characters."})
    row = queries.enrolment(witness.id, case.id)
    if row is None:
        row = Enrolment(witness_id=witness.id, case_id=case.id)
        db.session.add(row)
    before = row.enrolled if row.id else None
    row.enrolled, row.reason, row.changed_by_id, row.changed_at = bool(enrolled), reason, actor.id, utc_now()
    db.session.flush()
    audit.record("custody.enrolment", row, actor=actor,
                 details={"case_id": case.id, "enrolled": row.enrolled, "from": before})
    enrolment_changed.send(row, actor=actor, journey_closed=journey.stage == Stage.CLOSED)
    return row


def close_journey(actor: User, journey: Journey, *, reason: str, stay_enrolled: bool) -> Journey:
    """Close a journey and record, in the same step, whether the witness stays enrolled for
    offender notices after the case (the default) or not."""
    case_ops.transition_journey(actor, journey, Stage.CLOSED, reason)
    set_enrolment(actor, journey.witness, journey.case, enrolled=stay_enrolled,
                  reason="Chosen when the journey closed.")
    return journey
