"""The rules about cases and journeys: who works on a case, and how a witness moves through it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..auth.models import User
from ..db import utc_now
from ..errors import Conflict, OperationError, ValidationFailed
from ..extensions import db
from ..permissions import Role
from ..timezones import is_iana_timezone
from ..witnesses.models import AssignmentRole, Witness, WitnessAssignment
from ..witnesses.operations import current_assessment_for_stage
from .models import (
    ASSESSED_STAGES,
    STAGE_ORDER,
    Case,
    CaseAssignment,
    CaseRole,
    CustodyStatus,
    Defendant,
    Journey,
    JourneyTransition,
    Stage,
)
from .signals import journey_closing, journey_started


def valid_timezone(name: str) -> bool:
    return is_iana_timezone(name)


def create_case(
    actor: User, *, reference: str, court_name: str, court_timezone: str, offence_type: str
) -> Case:
    reference, court_name = (reference or "").strip(), (court_name or "").strip()
    errors: dict[str, str] = {}
    if not reference:
        errors["reference"] = "Enter the prosecution reference."
    if not court_name:
        errors["court_name"] = "Enter the court's name."
    if not valid_timezone(court_timezone):
        errors["court_timezone"] = "Enter the court's time zone as an IANA name, e.g. Asia/Jakarta."
    if not (offence_type or "").strip():
        errors["offence_type"] = "Enter the offence type."
    if not errors and db.session.execute(sa.select(Case.id).where(Case.reference == reference)).first():
        errors["reference"] = "A case with this reference already exists."
    if errors:
        raise ValidationFailed(errors)
    case = Case(
        reference=reference,
        court_name=court_name,
        court_timezone=court_timezone,
        offence_type=offence_type.strip(),
        created_by_id=actor.id,
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(CaseAssignment(case_id=case.id, user_id=actor.id, role=_case_role_for(actor)))
    audit.record("case.create", case, actor=actor)
    db.session.flush()
    return case


def _case_role_for(user: User) -> str:
    return CaseRole.PROSECUTOR if user.role == Role.PROSECUTOR else CaseRole.LIAISON_OFFICER


def assign_to_case(actor: User, case: Case, user: User) -> CaseAssignment:
    if user.role not in (Role.PROSECUTOR, Role.LIAISON_OFFICER) or not user.active:
        raise ValidationFailed({"user_id": "Only active prosecutors and liaison officers work on cases."})
    existing = db.session.execute(
        sa.select(CaseAssignment).where(
            CaseAssignment.case_id == case.id,
            CaseAssignment.user_id == user.id,
            CaseAssignment.ended_at.is_(None),
        )
    ).scalar_one_or_none()
    if existing:
        raise Conflict("That person already works on this case.")
    assignment = CaseAssignment(case_id=case.id, user_id=user.id, role=_case_role_for(user))
    db.session.add(assignment)
    db.session.flush()
    audit.record("case.assign", case, actor=actor, details={"user_id": user.id, "role": assignment.role})
    return assignment


def end_case_assignment(actor: User, assignment: CaseAssignment, reason: str) -> CaseAssignment:
    """Take a person off a case: the record stays (for the audit trail), access ends at once.

    Every visibility check reads `ended_at IS NULL`, and a change to case assignments moves the
    feed clock, so pages, the API, search and calendar feeds all stop showing the case on the
    next request. The last person on a case cannot be taken off: nobody could see it again.
    """
    reason = (reason or "").strip()
    if assignment.ended_at is not None:
        raise Conflict("This person no longer works on this case.")
    if not reason:
        raise ValidationFailed({"reason": "Say why this person is taken off the case."})
    if len(reason) > 500:
        raise ValidationFailed({"reason": "At most 500 characters."})
    others = db.session.execute(
        sa.select(sa.func.count()).where(
            CaseAssignment.case_id == assignment.case_id,
            CaseAssignment.id != assignment.id,
            CaseAssignment.ended_at.is_(None),
        )
    ).scalar()
    if not others:
        raise Conflict(
            "This is the last person on the case: add someone else first, or nobody could reach the case.",
            {"reason": "Add someone else to the case first."},
        )
    assignment.ended_at = utc_now()
    db.session.flush()
    audit.record(
        "case.unassign", assignment.case, actor=actor,
        details={"user_id": assignment.user_id, "role": assignment.role, "reason": reason},
    )
    return assignment


def add_defendant(actor: User, case: Case, *, name: str, custody_status: str) -> Defendant:
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Enter the defendant's name."
    if custody_status not in set(CustodyStatus):
        errors["custody_status"] = "Choose remanded, bailed, at_large or sentenced."
    if errors:
        raise ValidationFailed(errors)
    defendant = Defendant(case_id=case.id, name=name.strip(), custody_status=custody_status)
    db.session.add(defendant)
    db.session.flush()
    audit.record("defendant.create", defendant, actor=actor, details={"case_id": case.id})
    return defendant


def set_custody_status(actor: User, defendant: Defendant, custody_status: str) -> Defendant:
    if custody_status not in set(CustodyStatus):
        raise ValidationFailed({"custody_status": "Choose remanded, bailed, at_large or sentenced."})
    before = defendant.custody_status
    defendant.custody_status = custody_status
    audit.record("defendant.custody", defendant, actor=actor, details={"from": before, "to": custody_status})
    db.session.flush()
    return defendant


def start_journey(actor: User, case: Case, witness: Witness) -> Journey:
    existing = db.session.execute(
        sa.select(Journey.id).where(Journey.case_id == case.id, Journey.witness_id == witness.id)
    ).first()
    if existing:
        raise Conflict(f"{witness.reference} is already a witness in case {case.reference}.")
    journey = Journey(witness_id=witness.id, case_id=case.id, stage=Stage.PRE_TRIAL)
    db.session.add(journey)
    db.session.flush()
    db.session.add(
        JourneyTransition(
            journey_id=journey.id,
            from_stage=None,
            to_stage=Stage.PRE_TRIAL,
            actor_id=actor.id,
            reason="Witness linked to the case.",
        )
    )
    audit.record("journey.start", journey, actor=actor, details={"case_id": case.id})
    db.session.flush()
    # A child witness gets the standard child aids proposed as soon as they are in a case.
    journey_started.send(journey, actor=actor)
    return journey


def has_guardian(witness: Witness) -> bool:
    return bool(
        db.session.execute(
            sa.select(WitnessAssignment.id).where(
                WitnessAssignment.witness_id == witness.id,
                WitnessAssignment.role == AssignmentRole.GUARDIAN,
                WitnessAssignment.active_clause(),
            )
        ).first()
    )


def transition_journey(
    actor: User,
    journey: Journey,
    to: str,
    reason: str = "",
    override_reason: str = "",
) -> JourneyTransition:
    """Move a journey to another stage, enforcing the protection rules.

    - entering a stage needs a risk assessment for that stage made within the configured days;
    - entering trial inside the reflection period needs an explicit override reason (audited);
    - a child cannot reach trial without a guardian;
    - going back, skipping a stage or closing needs a reason; declining to testify never closes;
    - closing also meets the conditions of the `journey_closing` receivers (the review of what
      continues after the case).
    """
    reason, override_reason = (reason or "").strip(), (override_reason or "").strip()
    if to not in set(Stage):
        raise ValidationFailed({"to": "Unknown stage; choose pre_trial, trial, post_trial or closed."})
    if to == journey.stage:
        raise ValidationFailed({"to": f"The journey is already at {to}."})
    witness = journey.witness
    current_index, target_index = STAGE_ORDER.index(Stage(journey.stage)), STAGE_ORDER.index(Stage(to))
    if target_index != current_index + 1 and not reason:
        raise ValidationFailed(
            {"reason": "Give a reason: going back, skipping a stage or closing must be explained."}
        )
    if to == Stage.CLOSED and not reason:
        raise ValidationFailed({"reason": "Give a reason for closing this journey."})
    if to in ASSESSED_STAGES and current_assessment_for_stage(witness, to) is None:
        days = current_app.config["RISK_ASSESSMENT_MAX_AGE_DAYS"]
        raise OperationError(
            f"{witness.reference} needs a risk assessment for the {to.replace('_', '-')} stage made in the "
            f"last {days} days before the journey can move there.",
            {"to": "Record a current risk assessment for this stage first."},
        )
    if to == Stage.TRIAL:
        if witness.is_child and not has_guardian(witness):
            raise OperationError(
                f"{witness.reference} is a child: assign a guardian before the journey reaches trial.",
                {"to": "A child needs a guardian among their support assignments."},
            )
        if witness.in_reflection_period() and not override_reason:
            raise OperationError(
                f"{witness.reference} is inside the reflection period until {witness.reflection_end}: "
                "give an override reason to move to trial now.",
                {"override_reason": "Required inside the reflection period."},
            )
    if to == Stage.CLOSED:
        # Other areas' conditions for closing (the sustainable-protection review); a receiver
        # refuses by raising, before anything here has changed.
        journey_closing.send(journey, actor=actor)
    transition = JourneyTransition(
        journey_id=journey.id,
        from_stage=journey.stage,
        to_stage=to,
        actor_id=actor.id,
        reason=reason,
        override_reason=override_reason or None,
    )
    db.session.add(transition)
    details: dict[str, Any] = {"from": journey.stage, "to": to}
    if override_reason:
        details["reflection_override"] = override_reason
    journey.stage = to
    db.session.flush()
    audit.record("journey.transition", journey, actor=actor, details=details)
    return transition

