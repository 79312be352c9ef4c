"""The rules of break-glass: who may open a witness, on what reason, for how long, who is told.

The on-call officer finds the witness by its pseudonymous reference (the caller gives it, or the
officer's phone log has it) and states why; the grant then opens `BREAK_GLASS_GROUPS` of that
witness for `BREAK_GLASS_HOURS`. Every attempt is on the audit trail, a refused one too: the view
commits the refusal's audit event (BreakGlassRefused) and changes nothing else.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..access import forget_visible_groups, visible_groups
from ..auth.models import User
from ..db import utc_now
from ..errors import Conflict, NotFound, OperationError, ValidationFailed
from ..extensions import db
from ..permissions import BREAK_GLASS_GROUPS, Permission, has_permission
from ..tasks.models import Task
from ..tasks.operations import complete_task, create_task
from ..witnesses.models import HIGH_RISK_LEVELS, AssignmentRole, Witness, WitnessAssignment
from .models import BreakGlassGrant

REASON_MIN = 10
REASON_MAX = 2000


class BreakGlassRefused(OperationError):
    """A refused break-glass: nothing was granted, but the attempt's audit event is in the session
    and the caller commits it."""

    status = 403
    code = "break_glass_refused"

    def __init__(self, message: str, why: str, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message, field_errors)
        self.why = why


def own_officers(witness_id: int) -> list[User]:
    """The witness's own officers: people with an active liaison officer assignment on it."""
    return list(db.session.execute(
        sa.select(User).join(WitnessAssignment, WitnessAssignment.user_id == User.id).where(
            WitnessAssignment.witness_id == witness_id, WitnessAssignment.role == AssignmentRole.LIAISON_OFFICER,
            WitnessAssignment.active_clause(),
        ).order_by(User.id)
    ).scalars().unique())


def _refuse(actor: User, why: str, message: str, witness: Witness | None = None,
            field_errors: dict[str, str] | None = None) -> BreakGlassRefused:
    audit.record("break_glass.refused", actor=actor, object_type="witness",
                 object_id=witness.id if witness else None, witness_id=witness.id if witness else None,
                 details={"why": why})
    db.session.flush()
    return BreakGlassRefused(message, why, field_errors)


def find_by_reference(reference: str) -> Witness | None:
    reference = (reference or "").strip().upper()
    if not reference:
        return None
    return db.session.execute(sa.select(Witness).where(Witness.reference == reference)).scalar_one_or_none()


def open_break_glass(actor: User, reference: str, reason: str, *, now: datetime | None = None) -> BreakGlassGrant:
    """Open the witness with `reference` to `actor` for BREAK_GLASS_HOURS, for `reason`.

    Refused (and audited) for a role without the permission, an unknown reference, a missing or
    too short reason, or a witness marked "no break-glass"."""
    now = now or utc_now()
    if not has_permission(actor, Permission.BREAK_GLASS_USE):
        raise _refuse(actor, "role", "Your role may not use break-glass. Call the witness's liaison officer, "
                      "or the on-call liaison officer.")
    witness = find_by_reference(reference)
    if witness is None:
        raise _refuse(actor, "unknown_reference", "No witness has that reference.",
                      field_errors={"reference": "No witness has that reference: check it with whoever gave it."})
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise _refuse(actor, "no_reason", "State why you need to open this witness.", witness, field_errors={
            "reason": f"State why, in at least {REASON_MIN} characters: the witness's officer and a supervisor "
                      "read it."})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": f"Keep the reason under {REASON_MAX} characters."})
    if witness.no_break_glass:
        officers = ", ".join(o.display_name for o in own_officers(witness.id)) or "their liaison officer"
        raise _refuse(actor, "no_break_glass", f"{witness.reference} is closed to break-glass by the witness's "
                      f"officer. Call {officers} (or their supervisor) instead.", witness)
    if visible_groups(actor, witness) >= BREAK_GLASS_GROUPS:
        raise Conflict(f"You already see {witness.reference}'s identity, location and contact.")

    officers = own_officers(witness.id)
    reviewer_id = actor.supervisor_id or next((o.supervisor_id for o in officers if o.supervisor_id), None)
    hours = current_app.config["BREAK_GLASS_HOURS"]
    grant = BreakGlassGrant(user_id=actor.id, witness_id=witness.id, reason=reason, granted_at=now,
                            until=now + timedelta(hours=hours),
                            reviewer_id=reviewer_id if reviewer_id != actor.id else None)
    db.session.add(grant)
    db.session.flush()
    # The trail names the grant, never the reason (free text may carry what the trail must not).
    audit.record("break_glass.open", grant, actor=actor,
                 details={"until": grant.until.isoformat(), "groups": sorted(str(g) for g in BREAK_GLASS_GROUPS)})
    # Staff notices carry the pseudonymous reference and the staff names only.
    for officer in officers:
        if officer.id != actor.id:
            create_task(officer, "break_glass_notice",
                        f"{actor.display_name} opened {witness.reference} by break-glass for {hours} hours",
                        witness_id=witness.id, urgent=True, source=("break_glass", grant.id),
                        dedup_key=f"break_glass:{grant.id}:notice:{officer.id}", actor=actor)
    if grant.reviewer_id is not None:
        create_task(grant.reviewer_id, "break_glass_review",
                    f"Review the break-glass on {witness.reference} by {actor.display_name}",
                    witness_id=witness.id, due_at=now + timedelta(days=1), source=("break_glass", grant.id),
                    dedup_key=f"break_glass:{grant.id}:review", actor=actor)
    forget_visible_groups()
    return grant


def can_view_grant(user: User, grant: BreakGlassGrant) -> bool:
    """The grantee, the reviewing supervisor and the witness's own officers see a grant."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.id in (grant.user_id, grant.reviewer_id) or any(o.id == user.id for o in own_officers(grant.witness_id))


def review_break_glass(actor: User, grant: BreakGlassGrant, note: str = "") -> BreakGlassGrant:
    """The supervisor's review: recorded once, and their review task done with it."""
    if grant.reviewer_id != actor.id:
        raise NotFound()
    if grant.reviewed_at is not None:
        raise Conflict("This break-glass has already been reviewed.")
    grant.reviewed_at = utc_now()
    grant.reviewed_by_id = actor.id
    grant.review_note = (note or "").strip()[:REASON_MAX]
    audit.record("break_glass.review", grant, actor=actor)
    task = db.session.execute(sa.select(Task).where(
        Task.dedup_key == f"break_glass:{grant.id}:review", Task.done_at.is_(None))).scalar_one_or_none()
    if task is not None and task.assignee_id == actor.id:
        complete_task(actor, task, "Reviewed.")
    db.session.flush()
    return grant


def set_no_break_glass(actor: User, witness: Witness, refuse: bool) -> bool:
    """The witness's own officer closes a high-risk witness to break-glass, or opens it again.
    Returns whether anything changed."""
    if not has_permission(actor, Permission.BREAK_GLASS_REFUSE) or all(o.id != actor.id
                                                                          for o in own_officers(witness.id)):
        raise NotFound()
    if refuse and witness.current_risk_level not in HIGH_RISK_LEVELS:
        raise ValidationFailed({"no_break_glass": "Only a witness assessed at high or critical risk can be "
                                                  "closed to break-glass."})
    if witness.no_break_glass == refuse:
        return False
    witness.no_break_glass = refuse
    audit.record("witness.no_break_glass", witness, actor=actor, details={"to": refuse})
    db.session.flush()
    return True


def grants_of(user: User, *, now: datetime | None = None) -> list[BreakGlassGrant]:
    """The user's grants that last, soonest to end first."""
    return list(db.session.execute(
        sa.select(BreakGlassGrant).where(BreakGlassGrant.user_id == user.id, BreakGlassGrant.until > (now or utc_now()))
        .order_by(BreakGlassGrant.until)
    ).scalars())


def reviews_for(user: User) -> list[BreakGlassGrant]:
    """The grants the user is asked to review and has not."""
    return list(db.session.execute(
        sa.select(BreakGlassGrant).where(BreakGlassGrant.reviewer_id == user.id, BreakGlassGrant.reviewed_at.is_(None))
        .order_by(BreakGlassGrant.granted_at)
    ).scalars())
