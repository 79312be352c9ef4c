"""The rules about witnesses: registration, identity, participation, assignments, risk."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..access import access_reasons
from ..auth.models import User
from ..countries import normalise_country
from ..dates import check_date, require_dates
from ..db import today_utc, utc_now
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..permissions import PROTECTED_GROUPS, Role
from .models import (
    AgeAssessment,
    AssignmentRole,
    Participation,
    RiskAssessment,
    RiskLevel,
    Witness,
    WitnessAssignment,
)
from .signals import child_status_changed

IDENTITY_FIELDS = ("legal_name", "date_of_birth", "contact_details", "address")
EDITABLE_FIELDS = (
    *IDENTITY_FIELDS,
    "presumed_child",
    "age_assessment",
    "gender",
    "nationality",
    "country_of_origin",
    "preferred_language",
    "interpreter_language",
    "participation",
    "reflection_start",
    "reflection_end",
)
RISK_STAGES = ("pre_trial", "trial", "post_trial")


def generate_reference(year: int | None = None) -> str:
    """A random reference (W-2026-483920): sequential numbers would tell how many victims there are."""
    year = year or today_utc().year
    for _ in range(20):
        candidate = f"W-{year}-{secrets.randbelow(900_000) + 100_000}"
        exists = db.session.execute(
            sa.select(sa.func.count()).where(Witness.reference == candidate)
        ).scalar()
        if not exists:
            return candidate
    raise Conflict("Could not allocate a witness reference; try again.")


def _check_reflection(data: dict[str, Any], errors: dict[str, str]) -> None:
    start, end = data.get("reflection_start"), data.get("reflection_end")
    if start and end:
        if end < start:
            errors["reflection_end"] = "The reflection period cannot end before it starts."
        elif (end - start).days > current_app.config["REFLECTION_PERIOD_MAX_DAYS"]:
            errors["reflection_end"] = (
                f"The reflection period can last at most {current_app.config['REFLECTION_PERIOD_MAX_DAYS']} days."
            )
    elif end and not start:
        errors["reflection_start"] = "Give the start of the reflection period too."


def _normalise(data: dict[str, Any]) -> None:
    """Stored forms of what may be given several ways: a country of origin as its upper-case code."""
    if "interpreter_language" in data:
        data["interpreter_language"] = (data["interpreter_language"] or "").strip() or None
    if "country_of_origin" in data:
        data["country_of_origin"] = normalise_country(data["country_of_origin"]) or data["country_of_origin"] or ""


def _validate(data: dict[str, Any], given: dict[str, Any] | None = None) -> None:
    """`given`: the values the user gave (default: all of `data`); only those are range-checked,
    so that a stored date from before a range was set never blocks an unrelated change."""
    errors: dict[str, str] = {}
    given = data if given is None else given
    if "legal_name" in data and not (data["legal_name"] or "").strip():
        errors["legal_name"] = "Enter the witness's legal name."
    if "preferred_language" in data and not (data["preferred_language"] or "").strip():
        errors["preferred_language"] = "Enter the language the witness understands best."
    check_date(errors, "date_of_birth", given.get("date_of_birth"), "birth")
    check_date(errors, "reflection_start", given.get("reflection_start"), "reflection")
    check_date(errors, "reflection_end", given.get("reflection_end"), "reflection")
    if "participation" in data and data["participation"] not in set(Participation):
        errors["participation"] = "Choose undecided, participating, declined or withdrawn."
    if "country_of_origin" in data and normalise_country(data["country_of_origin"]) is None:
        errors["country_of_origin"] = "Choose the country from the list (an ISO 3166-1 code such as ID)."
    if "age_assessment" in data and data["age_assessment"] not in set(AgeAssessment):
        errors["age_assessment"] = "Choose none, child or adult."
    _check_reflection(data, errors)
    if errors:
        raise ValidationFailed(errors)


def create_witness(actor: User, **data: Any) -> Witness:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(dict.fromkeys(sorted(unknown), "Unknown field."))
    data.setdefault("participation", Participation.UNDECIDED)
    data.setdefault("age_assessment", AgeAssessment.NONE)
    # Checked before the default end is computed from it: year 9999 plus the period does not exist.
    require_dates({"reflection_start": "reflection"}, data)
    if data.get("reflection_start") and not data.get("reflection_end"):
        days = current_app.config["REFLECTION_PERIOD_DEFAULT_DAYS"]
        data["reflection_end"] = data["reflection_start"] + timedelta(days=days)
    for required in ("legal_name", "preferred_language"):
        data.setdefault(required, "")
    _validate(data)
    data.setdefault("interpreter_language", None)
    _normalise(data)
    witness = Witness(reference=generate_reference(), created_by_id=actor.id, **data)
    db.session.add(witness)
    db.session.flush()
    # Whoever registers a witness keeps access to them: they are the first liaison officer.
    if actor.role == Role.LIAISON_OFFICER:
        db.session.add(
            WitnessAssignment(
                witness_id=witness.id,
                user_id=actor.id,
                role=AssignmentRole.LIAISON_OFFICER,
                created_by_id=actor.id,
            )
        )
    audit.record("witness.create", witness, actor=actor)
    db.session.flush()
    return witness


def update_witness(actor: User, witness: Witness, **changes: Any) -> list[str]:
    """Apply the given changes; returns the names of the fields that really changed."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(dict.fromkeys(sorted(unknown), "Unknown field."))
    _normalise(changes)
    merged = {name: getattr(witness, name) for name in EDITABLE_FIELDS} | changes
    _validate({**changes, **{k: merged[k] for k in ("reflection_start", "reflection_end")}}, changes)
    changed = [name for name, value in changes.items() if getattr(witness, name) != value]
    if not changed:
        return []
    before = witness.participation
    for name in changed:
        setattr(witness, name, changes[name])
    # Only field names reach the trail, never the identifying values themselves.
    audit.record("witness.update", witness, actor=actor, details={"fields": sorted(changed)})
    if "participation" in changed:
        # Declining or withdrawing changes nothing else: support and risk reviews continue.
        audit.record(
            "witness.participation",
            witness,
            actor=actor,
            details={"from": before, "to": witness.participation},
        )
    db.session.flush()
    if {"date_of_birth", "presumed_child", "age_assessment"} & set(changed):
        # Becoming a child (or proving it) proposes the standard child aids in each case, once.
        child_status_changed.send(witness, actor=actor)
    return changed


def record_identity_view(
    actor: User, witness: Witness, via: str = "web", groups: Iterable[str] = PROTECTED_GROUPS
) -> None:
    """A read of identity, location or contact: audited with the groups that were shown and why the
    reader sees them (access.access_reasons: their assignment, a case of theirs, break-glass), so
    that the witness's officer can be shown who has looked and why."""
    shown = sorted(str(g) for g in set(groups) & PROTECTED_GROUPS)
    audit.record("witness.identity.view", witness, actor=actor,
                 details={"via": via, "groups": shown, "because": access_reasons(actor, witness)})


def record_identity_search(actor: User, matches: int, via: str = "web") -> None:
    """A search by name uses identity data: audited like a read, with the count, never the name."""
    audit.record(
        "witness.identity.search", actor=actor, object_type="witness", details={"via": via, "matches": matches}
    )


def assign_support(
    actor: User,
    witness: Witness,
    user: User,
    role: str,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> WitnessAssignment:
    errors: dict[str, str] = {}
    if role not in set(AssignmentRole):
        errors["role"] = "Choose liaison officer, support worker, intermediary, interpreter or guardian."
    if not user.active:
        errors["user_id"] = "That account is disabled."
    elif user.role == Role.ADMIN:
        errors["user_id"] = "Administrators cannot be assigned to witnesses."
    elif role == AssignmentRole.LIAISON_OFFICER and user.role != Role.LIAISON_OFFICER:
        errors["role"] = "Only a liaison officer's account can take the liaison officer role."
    starts_on = starts_on or today_utc()
    check_date(errors, "starts_on", starts_on, "assignment")
    check_date(errors, "ends_on", ends_on, "assignment")
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The assignment cannot end before it starts."
    if errors:
        raise ValidationFailed(errors)
    duplicate = db.session.execute(
        sa.select(WitnessAssignment.id).where(
            WitnessAssignment.witness_id == witness.id,
            WitnessAssignment.user_id == user.id,
            WitnessAssignment.role == role,
            WitnessAssignment.active_clause(),
        )
    ).first()
    if duplicate:
        raise Conflict("That person already has this role for this witness.")
    assignment = WitnessAssignment(
        witness_id=witness.id,
        user_id=user.id,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by_id=actor.id,
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record("assignment.create", assignment, actor=actor, details={"user_id": user.id, "role": role})
    return assignment


def end_assignment(actor: User, assignment: WitnessAssignment, reason: str = "") -> WitnessAssignment:
    if assignment.ended_at is not None:
        raise Conflict("This assignment has already ended.")
    assignment.ended_at = utc_now()
    if assignment.ends_on is None or assignment.ends_on > today_utc():
        assignment.ends_on = today_utc()
    audit.record("assignment.end", assignment, actor=actor, details={"reason": reason[:500]})
    db.session.flush()
    return assignment


def record_risk_assessment(
    actor: User,
    witness: Witness,
    *,
    stage: str,
    level: str,
    assessed_on: date | None = None,
    next_review_on: date | None = None,
    threats: str = "",
    measures: str = "",
) -> RiskAssessment:
    errors: dict[str, str] = {}
    assessed_on = assessed_on or today_utc()
    if stage not in RISK_STAGES:
        errors["stage"] = "Choose the stage this assessment is for: pre_trial, trial or post_trial."
    if level not in set(RiskLevel):
        errors["level"] = "Choose low, medium, high or critical."
    check_date(errors, "assessed_on", assessed_on, "risk_assessed")
    if next_review_on is None:
        errors["next_review_on"] = "Set the date of the next review."
    elif next_review_on <= assessed_on:
        errors["next_review_on"] = "The next review must come after the assessment."
    else:
        check_date(errors, "next_review_on", next_review_on, "risk_review")
    if errors:
        raise ValidationFailed(errors)
    assessment = RiskAssessment(
        witness_id=witness.id,
        stage=stage,
        level=level,
        assessed_on=assessed_on,
        next_review_on=next_review_on,
        threats=threats,
        measures=measures,
        assessor_id=actor.id,
    )
    db.session.add(assessment)
    db.session.flush()
    latest = db.session.execute(
        sa.select(RiskAssessment)
        .where(RiskAssessment.witness_id == witness.id)
        .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
        .limit(1)
    ).scalar_one()
    witness.current_risk_level = latest.level
    witness.next_review_on = latest.next_review_on
    audit.record("risk_assessment.create", assessment, actor=actor, details={"stage": stage, "level": level})
    db.session.flush()
    return assessment


def current_assessment_for_stage(witness: Witness, stage: str, on: date | None = None) -> RiskAssessment | None:
    """The newest assessment for that stage made within the configured number of days."""
    on = on or today_utc()
    max_age = current_app.config["RISK_ASSESSMENT_MAX_AGE_DAYS"]
    return db.session.execute(
        sa.select(RiskAssessment)
        .where(
            RiskAssessment.witness_id == witness.id,
            RiskAssessment.stage == stage,
            RiskAssessment.assessed_on >= on - timedelta(days=max_age),
        )
        .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
        .limit(1)
    ).scalar_one_or_none()

