"""Reads about a witness that its pages show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..audit import AuditEvent
from ..auth.models import User
from ..db import utc_now
from ..extensions import db
from ..ledger.models import BenefitEntry
from ..permissions import PROTECTED_GROUPS
from .models import Witness

LOOKED_DAYS = 90
LOOKED_ACTIONS = ("witness.identity.view", "break_glass.open")
# The most reads one page lists; the officer asks the audit trail for the rest.
LOOKED_LIMIT = 1000

PROTECTED = {str(group) for group in PROTECTED_GROUPS}
REASON_WORDS = {"case": "a case of theirs", "break_glass": "break-glass"}


@dataclass(slots=True)
class Look:
    """One person's reads of a witness's identity, location or contact, for one set of reasons."""

    name: str
    role: str
    reasons: list[str]
    last: datetime
    times: int = 1
    groups: set[str] = field(default_factory=set)


def reason_words(reason: str) -> str:
    if reason.startswith("assignment:"):
        return "assigned as " + reason.split(":", 1)[1].replace("_", " ")
    return REASON_WORDS.get(reason, reason)


def who_has_looked(witness: Witness, *, days: int = LOOKED_DAYS, now: datetime | None = None) -> list[Look]:
    """Who read the witness's identity, location or contact in the last `days` days, and why (from
    the reads' audit events, one statement), latest first, one line per person and reasons."""
    since = (now or utc_now()) - timedelta(days=days)
    rows = db.session.execute(
        sa.select(AuditEvent.at, AuditEvent.action, AuditEvent.details, User.id, User.display_name, User.role)
        .join(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.witness_id == witness.id, AuditEvent.action.in_(LOOKED_ACTIONS), AuditEvent.at >= since)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(LOOKED_LIMIT)
    )
    looks: dict[tuple[int, tuple[str, ...]], Look] = {}
    for at, action, details, user_id, name, role in rows:
        details = details or {}
        reasons = ["break_glass"] if action == "break_glass.open" else list(details.get("because") or [])
        groups = set(details.get("groups", [])) & PROTECTED
        key = (user_id, tuple(reasons))
        look = looks.get(key)
        if look is None:
            looks[key] = Look(name, role, [reason_words(r) for r in reasons] or ["not recorded"], at, groups=groups)
        else:
            look.times += 1
            look.groups |= groups
    return list(looks.values())


def current_accommodation(witness: Witness, limit: int = 3) -> list[BenefitEntry]:
    """The latest accommodation benefits of the witness (where they are housed), newest first:
    for people who see the location group, who may not see the benefits ledger itself."""
    corrected = sa.select(BenefitEntry.corrects_id).where(
        BenefitEntry.witness_id == witness.id, BenefitEntry.corrects_id.is_not(None))
    return list(db.session.execute(
        sa.select(BenefitEntry).where(
            BenefitEntry.witness_id == witness.id, BenefitEntry.kind == "accommodation",
            BenefitEntry.corrects_id.is_(None), BenefitEntry.id.not_in(corrected))
        .order_by(BenefitEntry.provided_on.desc(), BenefitEntry.id.desc()).limit(limit)
    ).scalars())
