"""Reads about witnesses: search by reference or name, the list's filters, the name index rebuild,
and what a witness's page shows of who has looked at it.

Search never tells anyone that a witness they may not see exists: visibility is a condition of
the one statement that finds candidates, so a hidden witness is never read, never decrypted and
never counted, and costs what a witness that does not exist costs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from ..access import can_view_witness, identity_witness_ids, load_visible, visible_case_ids, visible_witness_ids
from ..audit import AuditEvent
from ..auth.models import User
from ..cases.models import Case, Journey
from ..crypto import keyring, name_token_keys
from ..db import today_utc, utc_now
from ..errors import NotFound
from ..extensions import db
from ..ledger.models import BenefitEntry
from ..permissions import PROTECTED_GROUPS
from .models import AssignmentRole, Witness, WitnessAssignment, WitnessNameToken

# A reference, whole or its beginning, in any case: "w-2026-34", "W-2026-344841", "W".
REFERENCE_QUERY = re.compile(r"w(-[0-9-]*)?", re.IGNORECASE)
# Candidates read per name search. Each index value stands for many names, so a candidate is
# confirmed by decrypting its name; this bounds the work of a search that matches very many.
NAME_CANDIDATES = 500


@dataclass(frozen=True)
class SearchResult:
    ids: list[int]
    by: str  # "reference" or "name": a name search is audited as a use of identity data


def is_reference_query(text: str) -> bool:
    return REFERENCE_QUERY.fullmatch(text.strip()) is not None


def search_condition(user: object, text: str, limit: int | None = None) -> tuple[sa.ColumnElement[bool], str]:
    """The WHERE clause of a search, with its kind; to be combined with the list's visibility.

    A reference (or its beginning) matches among every witness the user may see, since the
    reference is pseudonymous. Anything else is a name: every token of it must be a token of the
    witness's legal name (folded: case, accents, common transliteration variants), and only among
    the witnesses whose identity the user may see.

    `limit`: the list shows at most this many, newest first; candidates come newest first and
    every one the user may identify is one they may see, so confirming stops at the limit."""
    text = text.strip()
    if is_reference_query(text):
        return Witness.reference.startswith(text.upper(), autoescape=True), "reference"
    keys = name_token_keys(text)
    if not keys:
        return sa.false(), "name"
    bits = int(current_app.config["NAME_TOKEN_BITS"])
    ring = keyring()
    tokens = {ring.name_token(key, bits) for key in keys}
    candidates = (
        sa.select(WitnessNameToken.witness_id)
        .where(
            WitnessNameToken.token.in_(tokens),
            WitnessNameToken.witness_id.in_(identity_witness_ids(user).scalar_subquery()),  # type: ignore[arg-type]
        )
        .group_by(WitnessNameToken.witness_id)
        .having(sa.func.count(sa.distinct(WitnessNameToken.token)) == len(tokens))
    )
    rows = db.session.execute(
        sa.select(Witness.id, Witness.legal_name)
        .where(Witness.id.in_(candidates.scalar_subquery()))
        .order_by(Witness.id.desc())
        .limit(NAME_CANDIDATES)
    ).all()
    # Confirm each candidate: the truncated hashes match many names by design.
    folded: dict[str, str] = {}
    confirmed: list[int] = []
    for witness_id, name in rows:
        if keys <= name_token_keys(name, folded):
            confirmed.append(witness_id)
            if limit is not None and len(confirmed) >= limit:
                break
    folded.clear()
    return Witness.id.in_(confirmed), "name"


# ---- the list's filters --------------------------------------------------------------------------


@dataclass
class WitnessFilters:
    """What the witness list is narrowed to; every field optional, all of them combine."""

    stage: str | None = None
    risk_level: str | None = None
    participation: str | None = None
    case_id: int | None = None
    court_from: date | None = None
    court_to: date | None = None
    officer_id: int | None = None
    no_officer: bool = False
    review_overdue: bool = False
    in_reflection: bool = False

    def any(self) -> bool:
        return any(value not in (None, False) for value in vars(self).values())


def filter_conditions(user: object, filters: WitnessFilters, today: date | None = None) -> list[sa.ColumnElement[bool]]:
    """WHERE clauses on Witness for the filters (visibility is added by the list itself)."""
    today = today or today_utc()
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.stage:
        conditions.append(sa.exists().where(Journey.witness_id == Witness.id, Journey.stage == filters.stage))
    if filters.risk_level:
        conditions.append(Witness.current_risk_level == filters.risk_level)
    if filters.participation:
        conditions.append(Witness.participation == filters.participation)
    if filters.case_id is not None:
        # Only a case the user works on: otherwise the filter would tell them who is in it.
        conditions.append(sa.exists().where(
            Journey.witness_id == Witness.id, Journey.case_id == filters.case_id,
            Journey.case_id.in_(visible_case_ids(user).scalar_subquery()),  # type: ignore[arg-type]
        ))
    if filters.court_from is not None:
        conditions.append(Witness.next_court_at >= _start_of(filters.court_from))
    if filters.court_to is not None:
        conditions.append(Witness.next_court_at < _start_of(date.fromordinal(filters.court_to.toordinal() + 1)))
    officer_assigned = sa.exists().where(
        WitnessAssignment.witness_id == Witness.id,
        WitnessAssignment.role == AssignmentRole.LIAISON_OFFICER,
        WitnessAssignment.active_clause(today),
        *([WitnessAssignment.user_id == filters.officer_id] if filters.officer_id is not None else []),
    )
    if filters.officer_id is not None:
        conditions.append(officer_assigned)
    if filters.no_officer:
        conditions.append(~officer_assigned)
    if filters.review_overdue:
        conditions.append(Witness.next_review_on < today)
    if filters.in_reflection:
        conditions.append(sa.and_(Witness.reflection_start <= today, Witness.reflection_end >= today))
    return conditions


def visible_case_by_reference(user: object, reference: str) -> int | None:
    """The id of the case with this reference (as typed, or in capitals) among the cases the user
    works on, else None: a case they do not work on answers as one that does not exist."""
    reference = reference.strip()
    return db.session.execute(
        sa.select(Case.id).where(
            Case.reference.in_({reference, reference.upper()}),
            Case.id.in_(visible_case_ids(user).scalar_subquery()),  # type: ignore[arg-type]
        ).limit(1)
    ).scalar_one_or_none()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def visible_witness_condition(user: object) -> sa.ColumnElement[bool]:
    """The witnesses the user may see, as a WHERE clause (for counts that must never say more than the list)."""
    return Witness.id.in_(visible_witness_ids(user).scalar_subquery())  # type: ignore[arg-type]


# ---- keeping the name index -------------------------------------------------------------------


def rebuild_name_index(batch: int = 1000) -> int:
    """Recompute every witness's name tokens (after an upgrade, a new index key or a new
    NAME_TOKEN_BITS); returns the number of witnesses indexed. The caller commits."""
    ring = keyring()
    bits = int(current_app.config["NAME_TOKEN_BITS"])
    table = WitnessNameToken.__table__
    db.session.execute(table.delete())
    count, last = 0, 0
    while True:
        rows = db.session.execute(
            sa.select(Witness.id, Witness.legal_name).where(Witness.id > last).order_by(Witness.id).limit(batch)
        ).all()
        if not rows:
            return count
        values = [{"witness_id": wid, "token": token} for wid, name in rows for token in ring.name_tokens(name, bits)]
        if values:
            db.session.execute(table.insert(), values)
        count += len(rows)
        last = rows[-1][0]


def load_witness(user: User, witness_id: int) -> Witness:
    """The witness, or NotFound when there is none or `user` may not see it (the same answer)."""
    witness = load_visible(user, Witness, witness_id, can_view_witness)  # hidden or missing: one statement
    if witness is None:
        raise NotFound()
    return witness


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


def liaison_officers_of(witness: Witness) -> list[int]:
    """The ids of the witness's liaison officers (active assignments): who is tasked when something
    the witness must be told happens (an aid decided, a booking double-booked)."""
    return list(db.session.execute(
        sa.select(WitnessAssignment.user_id)
        .where(
            WitnessAssignment.witness_id == witness.id,
            WitnessAssignment.role == AssignmentRole.LIAISON_OFFICER,
            WitnessAssignment.active_clause(),
        )
        .distinct()
        .order_by(WitnessAssignment.user_id)
    ).scalars())
