"""Custody changes reach the witnesses of the case, and their officers get a risk review.

Connected to `custody.signals` at app start-up (create_app), with the sweep's reminders from custody
dates (`custody_reminders`). The receivers only write rows in the same transaction as the custody
entry (notices in the outbox, tasks); the sweep delivers the notices after the commit. Each
witness's notice carries only the bail conditions that protect them: a no-contact condition naming
them, and exclusion zones that name them or nobody.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..auth.models import User
from ..cases.models import Case, Defendant
from ..custody.models import CustodyEvent, Enrolment, EventKind
from ..custody.signals import custody_recorded, enrolment_changed
from ..db import utc_now
from ..extensions import db
from ..tasks.operations import create_task
from ..witnesses.models import Witness
from ..workdays import add_working_days
from . import custody_reminders
from .models import AFTER_CASE_KINDS, Kind, Notification, Status
from .operations import case_witness_ids, close_notice_tasks, queue_notice, responsible_for
from .signals import sweep_started

NOTICE_KIND = {
    EventKind.ARRESTED: Kind.IN_CUSTODY,
    EventKind.REMANDED: Kind.IN_CUSTODY,
    EventKind.REARRESTED: Kind.IN_CUSTODY,
    EventKind.BAILED: Kind.BAIL,
    EventKind.BAIL_VARIED: Kind.BAIL,
    EventKind.BAIL_BREACHED: Kind.BAIL_BREACHED,
    EventKind.WARRANT_ISSUED: Kind.AT_LARGE,
    EventKind.ESCAPED: Kind.ESCAPED,
    EventKind.ACQUITTED: Kind.RELEASED,
    EventKind.RELEASED: Kind.RELEASED,
    EventKind.RECALLED: Kind.RECALLED,
    EventKind.DEPORTED: Kind.DEPORTED,
    EventKind.PAROLE_HEARING: Kind.PAROLE_HEARING,
    EventKind.CHARGES_DROPPED: Kind.CUSTODY_UPDATE,
    EventKind.SENTENCED: Kind.CUSTODY_UPDATE,
    EventKind.TRANSFERRED: Kind.CUSTODY_UPDATE,
    EventKind.TEMPORARY_RELEASE: Kind.CUSTODY_UPDATE,
}
URGENT = frozenset({Kind.AT_LARGE, Kind.ESCAPED, Kind.RELEASED})


def _working_days(start: datetime, days: int, case: Case) -> datetime:
    config = current_app.config
    return add_working_days(start, days, tz=case.court_timezone, weekdays=config["WORKING_WEEKDAYS"],
                            holidays=config["HOLIDAYS"])


def _protective_for(event: CustodyEvent, witness_id: int) -> dict[str, Any]:
    no_contact = any(c.kind == "no_contact" and c.witness_id == witness_id for c in event.conditions)
    zones = [c.text for c in event.conditions
             if c.kind == "exclusion_zone" and c.witness_id in (None, witness_id)]
    return {"no_contact": no_contact, "zones": zones}


def _task(officer: User | None, kind: str, title: str, *, witness_id: int, case: Case, due_at: datetime,
          urgent: bool, event: CustodyEvent, key: str, actor: User | None) -> None:
    if officer is None:  # no active officer at all in the service: the trail says so
        audit.record("custody.task_unassigned", event, actor=actor, witness_id=witness_id, details={"kind": kind})
        return
    create_task(officer, kind, title, due_at=due_at, witness_id=witness_id, case_id=case.id, urgent=urgent,
                source=("custody_event", event.id), dedup_key=key, actor=actor)


def _on_custody_recorded(event: CustodyEvent, *, actor: User | None = None, **_: Any) -> None:
    case = db.session.get(Case, event.case_id)
    offender = db.session.execute(sa.select(Defendant.name).where(Defendant.id == event.defendant_id)).scalar()
    kind = NOTICE_KIND[EventKind(event.kind)]
    local = event.occurred_at.astimezone(ZoneInfo(case.court_timezone))
    base = {
        "offender": offender,
        "changed_on": f"{local:%Y-%m-%d %H:%M} ({case.court_timezone})",
        "what": event.words,
        "event_kind": event.kind,  # the words in the witness's language, at rendering
        "hearing_on": event.hearing_on.isoformat() if event.hearing_on else "",
        "release_date": event.release_date.isoformat() if event.release_date else "",
        "custody_event_id": event.id,
    }
    now = utc_now()
    review_due = _working_days(now, 1, case)
    for witness_id in case_witness_ids(case.id, kind):
        context = dict(base)
        if event.conditions:
            context["protective"] = _protective_for(event, witness_id)
        queue_notice(witness_id, kind, context=context, triggered_at=event.entered_at, case_id=case.id,
                     dedup_key=f"custody:e{event.id}:w{witness_id}")
        reference = db.session.execute(sa.select(Witness.reference).where(Witness.id == witness_id)).scalar()
        officer = responsible_for(witness_id, case.id)
        _task(officer, "custody_risk_review",
              f"Review the risk to {reference} and their protection plan: a defendant in {case.reference} "
              f"— {event.words}",
              witness_id=witness_id, case=case, due_at=review_due, urgent=kind in URGENT, event=event,
              key=f"custody-risk-review:e{event.id}:w{witness_id}", actor=actor)
        if kind == Kind.RELEASED and not custody_reminders.check_in_already_raised(witness_id, case.id, now):
            # One check-in per release: the sweep may have raised it when the release date was reached.
            _task(officer, "release_check_in",
                  f"Check in with {reference}: a defendant in {case.reference} was released",
                  witness_id=witness_id, case=case, due_at=_working_days(now, 2, case), urgent=False, event=event,
                  key=f"release-check-in:e{event.id}:w{witness_id}", actor=actor)


def _on_enrolment_changed(enrolment: Enrolment, *, actor: User | None = None, journey_closed: bool = False,
                          **_: Any) -> None:
    """An opt-out is honoured at once: offender notices queued and not yet sent are cancelled."""
    if enrolment.enrolled or not journey_closed:
        return
    waiting = db.session.execute(
        sa.select(Notification).where(
            Notification.witness_id == enrolment.witness_id, Notification.case_id == enrolment.case_id,
            Notification.kind.in_(sorted(AFTER_CASE_KINDS)),
            Notification.status.in_([Status.PENDING, Status.FAILED, Status.AWAITING_OFFICER]),
        ).with_for_update()
    ).scalars().all()
    for notice in waiting:
        notice.status = Status.CANCELLED
        close_notice_tasks(notice, actor)
        audit.record("notification.cancel", notice, actor=actor,
                     details={"reason": "opted out of offender notices after the case"})
    db.session.flush()


def connect() -> None:
    custody_recorded.connect(_on_custody_recorded, weak=False)
    enrolment_changed.connect(_on_enrolment_changed, weak=False)
    # Release and parole-hearing dates in the custody history, raised by every pass of the sweep.
    sweep_started.connect(custody_reminders.on_sweep, weak=False)
