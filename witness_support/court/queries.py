"""Reads of court support that pages and endpoints share: who may see or manage an event, and a
person's own schedule (the need-to-know list of a support person's week)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from ..access import can_view_case, case_rule, sql_rule, visible_groups_by_witness
from ..aids.models import AidStatus, TestimonialAid
from ..auth.models import User
from ..cases.models import Case
from ..db import utc_now
from ..extensions import db
from ..permissions import FieldGroup, Permission, has_permission
from ..witnesses import operations as witness_ops
from ..witnesses.models import Witness
from . import interpreting, operations
from .models import CourtEvent


@sql_rule(case_rule(Permission.COURT_EVENT_VIEW, "case_id"))
def can_view_event(user: User, event: CourtEvent) -> bool:
    return has_permission(user, Permission.COURT_EVENT_VIEW) and can_view_case(user, event.case)


@sql_rule(case_rule(Permission.COURT_EVENT_MANAGE, "case_id"))
def can_manage_event(user: User, event: CourtEvent) -> bool:
    return has_permission(user, Permission.COURT_EVENT_MANAGE) and can_view_case(user, event.case)


def schedule_for(user: User) -> list[dict[str, Any]]:
    """The person's own upcoming events (a fixed number of queries): witness by reference, court, room,
    interpreter language, aids granted, conflicts — and the identity only where their role needs it."""
    rows = operations.events_for_user(user, since=utc_now() - timedelta(hours=12))
    if not rows:
        return []
    events = {e.id: e for e, _ in rows}
    witness_ids = sorted({a.witness_id for _, a in rows})
    case_ids = sorted({e.case_id for e in events.values()})
    witnesses = {w.id: w for w in db.session.execute(sa.select(Witness).where(Witness.id.in_(witness_ids))).scalars()}
    cases = {c.id: c for c in db.session.execute(sa.select(Case).where(Case.id.in_(case_ids))).scalars()}
    granted: dict[tuple[int, int], list[str]] = defaultdict(list)
    for aid in db.session.execute(
        sa.select(TestimonialAid).where(TestimonialAid.witness_id.in_(witness_ids),
                                        TestimonialAid.case_id.in_(case_ids),
                                        TestimonialAid.status == AidStatus.GRANTED).order_by(TestimonialAid.id)
    ).scalars():
        granted[(aid.witness_id, aid.case_id)].append(aid.kind)
    groups = visible_groups_by_witness(user, witness_ids)
    identity_ids = {w for w, seen in groups.items() if FieldGroup.IDENTITY in seen}
    conflicts = operations.find_conflicts(list(events.values()))
    booked = interpreting.booked_pairs(events)
    for witness_id in sorted(identity_ids & set(witness_ids)):
        witness_ops.record_identity_view(user, witnesses[witness_id], via="schedule", groups={FieldGroup.IDENTITY})
    items = []
    for event, attendance in rows:
        witness, case = witnesses[attendance.witness_id], cases[event.case_id]
        show_identity = witness.id in identity_ids
        items.append({
            "event": event, "case": case, "witness": witness, "role": attendance.role,
            "interpreter": interpreting.for_witness(event, witness, booked),
            "aids": granted[(witness.id, case.id)], "show_identity": show_identity,
            "conflicts": sorted(conflicts.get(event.id, ())),
        })
    return items
