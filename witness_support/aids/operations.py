"""The rules of testimonial aids: proposing one, the child set, and the lifecycle
needed → applied → granted | refused (withdrawn from needed or applied).

A decision raises a task for the witness's liaison officers: tell the witness the outcome.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..auth.models import User
from ..cases.models import Case, Journey
from ..dates import check_date
from ..db import today_utc, utc_now
from ..errors import Conflict, OperationError, ValidationFailed
from ..extensions import db
from ..tasks.operations import create_task
from ..witnesses.models import Witness
from ..witnesses.queries import liaison_officers_of
from .models import AID_TRANSITIONS, CHILD_AID_KINDS, AidKind, AidStatus, AidStatusChange, TestimonialAid
from .signals import age_counts_on


def age_counts_on_date(case: Case) -> date | None:
    """The date on which a witness's age counts in this case (its first trial day), if one is known."""
    answers = [answer for _, answer in age_counts_on.send(case) if answer is not None]
    return min(answers) if answers else None


def is_child_for_case(witness: Witness, case: Case) -> bool:
    """A child today, or (by date of birth) still under 18 on the case's first trial date."""
    trial = age_counts_on_date(case)
    if trial is not None and trial >= today_utc():
        return witness.is_child_on(trial)
    return witness.is_child


def propose_aid(
    actor: User | None, witness: Witness, case: Case, kind: str, note: str = "", *, automatic: bool = False
) -> TestimonialAid:
    """Record an aid as needed. One of each kind per witness and case while it is open or granted."""
    errors: dict[str, str] = {}
    if kind not in set(AidKind):
        errors["kind"] = "Choose an aid: " + ", ".join(k.value for k in AidKind) + "."
    if len(note or "") > 5000:
        errors["note"] = "At most 5000 characters."
    if errors:
        raise ValidationFailed(errors)
    in_case = db.session.execute(
        sa.select(Journey.id).where(Journey.case_id == case.id, Journey.witness_id == witness.id)
    ).first()
    if not in_case:
        raise ValidationFailed({"case_id": f"{witness.reference} is not a witness in that case."})
    open_same = db.session.execute(
        sa.select(TestimonialAid.id).where(
            TestimonialAid.witness_id == witness.id,
            TestimonialAid.case_id == case.id,
            TestimonialAid.kind == kind,
            TestimonialAid.status.in_([AidStatus.NEEDED, AidStatus.APPLIED, AidStatus.GRANTED]),
        )
    ).first()
    if open_same:
        raise Conflict(f"{witness.reference} already has a {kind.replace('_', ' ')} aid in this case.")
    aid = TestimonialAid(
        witness_id=witness.id, case_id=case.id, kind=kind, status=AidStatus.NEEDED, note=(note or "").strip(),
        proposed_automatically=automatic, created_by_id=getattr(actor, "id", None),
    )
    db.session.add(aid)
    db.session.flush()
    db.session.add(AidStatusChange(aid_id=aid.id, from_status=None, to_status=AidStatus.NEEDED,
                                   actor_id=getattr(actor, "id", None),
                                   note="Proposed automatically: child witness." if automatic else ""))
    audit.record("aid.propose", aid, actor=actor, details={"kind": kind, "case_id": case.id, "automatic": automatic})
    db.session.flush()
    return aid


def propose_child_aids(actor: User | None, witness: Witness, case: Case | None = None) -> list[TestimonialAid]:
    """Propose the standard child set as `needed` in each of the witness's cases (or the one given),
    once: an aid of that kind already recorded in that case, whatever its state, is not proposed again."""
    if case is not None:
        cases = [case]
    else:
        cases = list(db.session.execute(
            sa.select(Case).join(Journey, Journey.case_id == Case.id).where(Journey.witness_id == witness.id)
        ).scalars())
    created: list[TestimonialAid] = []
    for each in cases:
        if not is_child_for_case(witness, each):
            continue
        existing = set(db.session.execute(
            sa.select(TestimonialAid.kind).where(
                TestimonialAid.witness_id == witness.id, TestimonialAid.case_id == each.id,
                TestimonialAid.kind.in_([k.value for k in CHILD_AID_KINDS]),
            )
        ).scalars())
        for kind in CHILD_AID_KINDS:
            if kind not in existing:
                created.append(propose_aid(actor, witness, each, kind, automatic=True))
    return created


def change_aid_status(
    actor: User,
    aid: TestimonialAid,
    status: str,
    *,
    on: date | None = None,
    order_reference: str | None = None,
    note: str = "",
) -> TestimonialAid:
    """needed → applied → granted | refused, and withdrawn from needed or applied. A decision raises a
    task for the witness's liaison officers: tell the witness the outcome."""
    if status not in set(AidStatus):
        raise ValidationFailed({"status": "Choose needed, applied, granted, refused or withdrawn."})
    if status not in AID_TRANSITIONS[AidStatus(aid.status)]:
        allowed = sorted(AID_TRANSITIONS[AidStatus(aid.status)])
        hint = f" From {aid.status} it can become: {', '.join(allowed)}." if allowed else (
            f" A {aid.status} aid is final; propose a new one if needed.")
        raise OperationError(
            f"An aid cannot go from {aid.status} to {status}.{hint}",
            {"status": f"Not allowed from {aid.status}."},
        )
    on = on or today_utc()
    errors: dict[str, str] = {}
    if on > today_utc():
        errors["on"] = "The date cannot be in the future."
    check_date(errors, "on", on, "court_past")
    if status in (AidStatus.GRANTED, AidStatus.REFUSED) and aid.applied_on and on < aid.applied_on:
        errors["on"] = "The decision cannot come before the application."
    if order_reference is not None and len(order_reference) > 100:
        errors["order_reference"] = "At most 100 characters."
    if len(note or "") > 5000:
        errors["note"] = "At most 5000 characters."
    if errors:
        raise ValidationFailed(errors)
    before = aid.status
    aid.status = status
    if status == AidStatus.APPLIED:
        aid.applied_on = on
    if status in (AidStatus.GRANTED, AidStatus.REFUSED):
        aid.decided_on = on
    if order_reference:
        aid.order_reference = order_reference.strip()
    if note:
        aid.note = (aid.note + "\n" if aid.note else "") + note.strip()
    db.session.add(AidStatusChange(aid_id=aid.id, from_status=before, to_status=status, actor_id=actor.id,
                                   note=(note or "").strip()))
    db.session.flush()
    audit.record("aid.status", aid, actor=actor, details={"from": before, "to": status})
    if status in (AidStatus.GRANTED, AidStatus.REFUSED):
        witness = aid.witness
        for officer_id in liaison_officers_of(witness):
            create_task(
                officer_id,
                "aid_decision",
                f"Tell {witness.reference} the court {status} the {aid.kind.replace('_', ' ')} application",
                witness_id=witness.id,
                case_id=aid.case_id,
                source=("aid", aid.id),
                dedup_key=f"aid-decision-{aid.id}-{officer_id}",
                actor=actor,
                due_at=utc_now() + timedelta(days=current_app.config["AID_DECISION_TASK_DAYS"]),
            )
    return aid
