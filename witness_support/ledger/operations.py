"""The rules of the benefits ledger: recording, correcting, second-person authorisation, concerns,
checkpoints, verification and the disclosure schedule. Operations never commit."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from .. import audit
from ..auth.models import User
from ..cases.models import Case, CaseAssignment, Journey
from ..court.models import CourtEvent, EventWitness
from ..dates import check_date, require_dates
from ..db import today_utc, utc_now
from ..errors import Conflict, NotFound, OperationError, ValidationFailed
from ..extensions import db
from ..permissions import Role
from ..tasks.operations import create_task
from ..witnesses.models import AssignmentRole, Witness, WitnessAssignment
from . import chain, digest
from .currencies import ISO_4217
from .models import (
    GENESIS_HASH,
    BenefitConcern,
    BenefitEntry,
    BenefitKind,
    CorrectionType,
    Disclosure,
    LedgerCheckpoint,
    LedgerHead,
    VerificationRun,
)
from .signals import schedule_building

MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)
_THOUSANDS = re.compile(r"^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")
MIN_RATIONALE_CHARS = 20
AUTHORISER_ROLES = (Role.LIAISON_OFFICER, Role.PROSECUTOR)


def testimony_dates(witness_id: int, case_id: int | None = None) -> list[date]:
    """The court-local dates of the trial days the witness is required at (not cancelled), in one
    case or (case_id None) in all: the days a benefit given shortly before looks most like an inducement."""
    query = (
        sa.select(CourtEvent.starts_at, Case.court_timezone)
        .join(EventWitness, EventWitness.event_id == CourtEvent.id)
        .join(Case, Case.id == CourtEvent.case_id)
        .where(
            EventWitness.witness_id == witness_id,
            CourtEvent.kind == "trial_day",
            CourtEvent.status != "cancelled",
        )
    )
    if case_id is not None:
        query = query.where(CourtEvent.case_id == case_id)
    return sorted({starts.astimezone(ZoneInfo(tz)).date() for starts, tz in db.session.execute(query)})


# ---- settings ------------------------------------------------------------------------------------


def _setting_set(name: str) -> set[str]:
    raw = current_app.config.get(name) or ()
    if isinstance(raw, str):
        raw = raw.split(",")
    return {item.strip() for item in raw if item and item.strip()}


def second_person_kinds() -> set[str]:
    return _setting_set("LEDGER_SECOND_PERSON_KINDS")


def second_person_threshold(currency: str | None) -> Decimal | None:
    """The amount above which a second person must authorise, for this currency (None: no limit)."""
    raw = current_app.config.get("LEDGER_SECOND_PERSON_THRESHOLDS") or {}
    if isinstance(raw, str):
        pairs = (item.split(":", 1) for item in raw.split(",") if ":" in item)
        raw = {code.strip().upper(): value.strip() for code, value in pairs}
    if currency and currency in raw:
        return Decimal(str(raw[currency]))
    default = current_app.config.get("LEDGER_SECOND_PERSON_DEFAULT_THRESHOLD")
    return Decimal(str(default)) if default not in (None, "") else None


def needs_second_person(kind: str, amount: Decimal | None, currency: str | None) -> bool:
    if kind in second_person_kinds():
        return True
    if amount is None:
        return False
    limit = second_person_threshold(currency)
    return limit is not None and abs(amount) > limit


def testimony_window_days() -> int:
    return int(current_app.config.get("LEDGER_TESTIMONY_WINDOW_DAYS", 30))


# ---- validation ----------------------------------------------------------------------------------


def parse_amount(value: Any) -> Decimal:
    """A money amount from text or a JSON number; at most two decimals; never through a float."""
    if isinstance(value, bool):
        raise ValueError("Give the amount as a number, e.g. 125.50.")
    text = str(value).strip()
    if not text.isascii():  # Decimal reads "١٢" and fullwidth digits; nobody types money so here
        raise ValueError("Give the amount as a number, e.g. 125.50.")
    if "," in text:
        # "1,200.50" is a thousands separator; "12,50" could mean twelve and a half: refuse to guess.
        if not _THOUSANDS.match(text):
            raise ValueError("Write decimals with a point, e.g. 12.50 (commas only between thousands).")
        text = text.replace(",", "")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(text)
    except InvalidOperation:
        raise ValueError("Give the amount as a number, e.g. 125.50.") from None
    if not amount.is_finite():
        raise ValueError("Give the amount as a number, e.g. 125.50.")
    # The size first: quantizing 1e308 to cents exceeds Decimal's precision and raises.
    if amount.copy_abs() > MAX_AMOUNT:
        raise ValueError("That amount is too large.")
    if amount != amount.quantize(chain.CENTS):
        raise ValueError("Give the amount with at most two decimals.")
    # "-0" is zero: PostgreSQL's numeric keeps no sign on zero, so a signed zero would hash
    # differently from the stored row.
    return amount.copy_abs().quantize(chain.CENTS) if amount.is_zero() else amount.quantize(chain.CENTS)


def _amount_and_currency(
    amount: Any, currency: str | None, errors: dict[str, str]
) -> tuple[Decimal | None, str | None]:
    currency = (currency or "").strip().upper() or None
    if amount in (None, ""):
        if currency:
            errors["amount"] = "Give the amount in that currency, or leave the currency empty."
        return None, None
    try:
        parsed = parse_amount(amount)
    except ValueError as exc:
        errors["amount"] = str(exc)
        return None, currency
    if parsed <= 0:
        errors["amount"] = "The amount must be more than zero; corrections record reductions."
    if currency is None:
        errors["currency"] = "Give the ISO 4217 currency of the amount, e.g. USD, EUR, IDR."
    elif currency not in ISO_4217:
        errors["currency"] = f"{currency[:10]} is not an ISO 4217 currency code (e.g. USD, EUR, IDR)."
    return parsed, currency


def _check_rationale(text: str, name: str, errors: dict[str, str], what: str) -> str:
    text = (text or "").strip()
    if len(text) < MIN_RATIONALE_CHARS or len(text.split()) < 3:
        errors[name] = f"Explain {what} in at least a sentence ({MIN_RATIONALE_CHARS} characters or more)."
    elif len(text) > 5000:
        errors[name] = "At most 5000 characters."
    return text


def eligible_authorisers(witness: Witness) -> list[User]:
    """Liaison officers and prosecutors assigned to the witness, directly or through a case."""
    direct = sa.select(WitnessAssignment.user_id).where(
        WitnessAssignment.witness_id == witness.id, WitnessAssignment.active_clause()
    )
    via_case = (
        sa.select(CaseAssignment.user_id)
        .join(Journey, Journey.case_id == CaseAssignment.case_id)
        .where(Journey.witness_id == witness.id, CaseAssignment.ended_at.is_(None))
    )
    return list(
        db.session.execute(
            sa.select(User)
            .where(
                User.id.in_(sa.union(direct, via_case).scalar_subquery()),
                User.active.is_(True),
                User.role.in_([str(r) for r in AUTHORISER_ROLES]),
            )
            .order_by(User.display_name, User.id)
        ).scalars()
    )


def _check_authoriser(
    actor: User, witness: Witness, authoriser: User | None, kind: str, amount: Decimal | None,
    currency: str | None, errors: dict[str, str],
) -> User:
    authoriser = authoriser or actor
    if authoriser.id not in {u.id for u in eligible_authorisers(witness)}:
        errors["authorised_by_id"] = (
            "The authoriser must be a liaison officer or prosecutor assigned to this witness."
        )
    elif authoriser.id == actor.id and needs_second_person(kind, amount, currency):
        errors["authorised_by_id"] = (
            "This benefit needs a second person: choose an authoriser other than yourself."
        )
    return authoriser


# ---- appending to the chain ----------------------------------------------------------------------


def _insert_head_if_missing() -> None:
    """First append ever (or after the head row was lost): start the head from the last entry."""
    last = db.session.execute(
        sa.select(BenefitEntry.id, BenefitEntry.hash).order_by(BenefitEntry.id.desc()).limit(1)
    ).first()
    values = {"id": 1, "sequence": last[0] if last else 0, "hash": last[1] if last else GENESIS_HASH}
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(LedgerHead.__table__).values(**values).on_conflict_do_nothing(index_elements=["id"]))


def _advance_head() -> tuple[int, str]:
    """Take the next sequence number and the previous hash, holding the chain's write lock.

    The UPDATE comes first: on SQLite it takes the database write lock, on PostgreSQL the row lock,
    and both are held until commit, so the previous hash read here cannot change under us.
    """
    table = LedgerHead.__table__
    statement = (
        sa.update(table).where(table.c.id == 1).values(sequence=table.c.sequence + 1)
        .returning(table.c.sequence, table.c.hash)
    )
    row = db.session.execute(statement).first()
    if row is None:
        _insert_head_if_missing()
        row = db.session.execute(statement).first()
    return row[0], row[1]


def _tell_authoriser(actor: User, entry: BenefitEntry, witness: Witness) -> None:
    """Someone else named as authoriser gets a task to check the entry, so that a colleague's name
    cannot be used without them knowing: they confirm it, or raise a concern against it."""
    if entry.authorised_by_id == actor.id:
        return

    create_task(
        entry.authorised_by_id, "check_benefit_authorisation",
        f"Check benefit #{entry.id} for {witness.reference}: you are named as its authoriser",
        due_at=utc_now() + timedelta(days=3), witness_id=witness.id, source=("benefit", entry.id),
        dedup_key=f"benefit-authoriser-{entry.id}", actor=actor,
    )


def _append(**values: Any) -> BenefitEntry:
    # Flush pending work now, so that no autoflush lands between reading the head and adding the entry.
    db.session.flush()
    sequence, prev_hash = _advance_head()
    values["id"] = sequence
    values["entered_at"] = utc_now()
    values.setdefault("corrects_id", None)
    values.setdefault("correction_type", None)
    values.setdefault("correction_reason", None)
    values.setdefault("provided_until", None)
    digest = chain.chain_hash(prev_hash, values)
    entry = BenefitEntry(prev_hash=prev_hash, hash=digest, **values)
    db.session.add(entry)
    table = LedgerHead.__table__
    db.session.execute(sa.update(table).where(table.c.id == 1).values(hash=digest))
    db.session.flush()
    return entry


# ---- entries -------------------------------------------------------------------------------------


def record_benefit(
    actor: User,
    witness: Witness,
    *,
    kind: str,
    description: str,
    provided_on: date | None,
    provider: str,
    rationale: str,
    amount: Any = None,
    currency: str | None = None,
    provided_until: date | None = None,
    authorised_by: User | None = None,
) -> BenefitEntry:
    errors: dict[str, str] = {}
    if kind not in set(BenefitKind):
        errors["kind"] = "Choose the kind of benefit."
    description = (description or "").strip()
    if not description:
        errors["description"] = "Describe what was provided."
    elif len(description) > 2000:
        errors["description"] = "At most 2000 characters."
    value, currency = _amount_and_currency(amount, currency, errors)
    if provided_on is None:
        errors["provided_on"] = "Give the date it was provided (the first day, for recurring support)."
    elif provided_on > today_utc() + timedelta(days=1):
        errors["provided_on"] = "Record a benefit once it has been provided, not before."
    else:
        check_date(errors, "provided_on", provided_on, "benefit")
    check_date(errors, "provided_until", provided_until, "benefit_until")
    if provided_until is not None and provided_on is not None and provided_until < provided_on:
        errors["provided_until"] = "The period cannot end before it starts."
    provider = (provider or "").strip()
    if not provider:
        errors["provider"] = "Name the agency that provided it."
    elif len(provider) > 200:
        errors["provider"] = "At most 200 characters."
    rationale = _check_rationale(rationale, "rationale", errors, "the need this benefit meets")
    authoriser = _check_authoriser(actor, witness, authorised_by, kind, value, currency, errors)
    if errors:
        raise ValidationFailed(errors)
    entry = _append(
        witness_id=witness.id, kind=kind, description=description, amount=value, currency=currency,
        provided_on=provided_on, provided_until=provided_until, provider=provider, rationale=rationale,
        authorised_by_id=authoriser.id, entered_by_id=actor.id,
    )
    audit.record("benefit.record", entry, actor=actor, details={"sequence": entry.id, "kind": kind})
    _tell_authoriser(actor, entry, witness)
    _checkpoint_if_due(entry)
    return entry


def reversal_of(entry: BenefitEntry) -> BenefitEntry | None:
    return db.session.execute(
        sa.select(BenefitEntry).where(
            BenefitEntry.corrects_id == entry.id, BenefitEntry.correction_type == CorrectionType.REVERSAL
        ).limit(1)
    ).scalar_one_or_none()


def correct_benefit(
    actor: User,
    original: BenefitEntry,
    *,
    correction_type: str,
    reason: str,
    amount: Any = None,
    authorised_by: User | None = None,
) -> BenefitEntry:
    """A new entry that reverses or adjusts an earlier one; both stay, totals add them up.

    A reversal carries the negated amount (reversing a reversal reinstates the original); an
    adjustment carries the signed difference, in the original's currency.
    """
    errors: dict[str, str] = {}
    witness = original.witness
    if correction_type not in set(CorrectionType):
        raise ValidationFailed({"correction_type": "Choose reversal or adjustment."})
    reason = _check_rationale(reason, "reason", errors, "why the entry is corrected")
    if correction_type == CorrectionType.REVERSAL:
        existing = reversal_of(original)
        if existing is not None:
            raise Conflict(
                f"Entry #{original.id} is already reversed by #{existing.id}; reverse #{existing.id} to reinstate it.",
                {"correction_type": "Already reversed."},
            )
        value = -original.amount if original.amount is not None else None
        if amount not in (None, ""):
            errors["amount"] = "A reversal takes the amount of the entry it reverses; leave the amount empty."
    else:
        value = None
        if original.correction_type == CorrectionType.REVERSAL:
            errors["correction_type"] = "A reversal cannot be adjusted; reverse it, or adjust the original entry."
        elif original.amount is None:
            errors["correction_type"] = "Only an entry with an amount can be adjusted; reverse it instead."
        else:
            try:
                value = parse_amount(amount) if amount not in (None, "") else None
            except ValueError as exc:
                errors["amount"] = str(exc)
            else:
                if value is None or value == 0:
                    errors["amount"] = "Give the difference: positive to add, negative to take away (e.g. -20.00)."
    authoriser = _check_authoriser(
        actor, witness, authorised_by, original.kind, value, original.currency, errors
    )
    if errors:
        raise ValidationFailed(errors)
    verb = "Reverses" if correction_type == CorrectionType.REVERSAL else "Adjusts"
    entry = _append(
        witness_id=original.witness_id, kind=original.kind,
        description=f"{verb} #{original.id}: {original.description}"[:2000],
        amount=value, currency=original.currency if value is not None else None,
        provided_on=original.provided_on, provided_until=original.provided_until,
        provider=original.provider, rationale=reason, authorised_by_id=authoriser.id,
        entered_by_id=actor.id, corrects_id=original.id, correction_type=correction_type,
        correction_reason=reason,
    )
    audit.record(
        "benefit.correct", entry, actor=actor,
        details={"sequence": entry.id, "corrects": original.id, "type": correction_type},
    )
    _tell_authoriser(actor, entry, witness)
    _checkpoint_if_due(entry)
    return entry


def entries_for(witness_ids: list[int] | sa.Select) -> list[BenefitEntry]:
    """Entries in date order (then sequence), corrections included, with who entered and authorised."""
    return list(
        db.session.execute(
            sa.select(BenefitEntry)
            .where(BenefitEntry.witness_id.in_(witness_ids))
            .options(selectinload(BenefitEntry.authorised_by), selectinload(BenefitEntry.entered_by))
            .order_by(BenefitEntry.provided_on, BenefitEntry.id)
        ).scalars()
    )


@dataclass
class Total:
    kind: str
    currency: str | None
    amount: Decimal | None
    entries: int


def totals(entries: list[BenefitEntry]) -> list[Total]:
    """Net totals per kind and currency, corrections included; non-monetary benefits are counted
    (a reversal takes one away)."""
    sums: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    counts: dict[tuple[str, str | None], int] = defaultdict(int)
    # How many benefits an entry adds: an original one, an adjustment none, a reversal minus
    # whatever it reverses (so reversing a reversal brings the benefit back). Sequence order
    # guarantees the reversed entry is seen first.
    effect: dict[int, int] = {}
    for e in sorted(entries, key=lambda e: e.id):
        if e.correction_type == CorrectionType.REVERSAL:
            effect[e.id] = -effect.get(e.corrects_id or 0, 1)
        else:
            effect[e.id] = 0 if e.correction_type == CorrectionType.ADJUSTMENT else 1
        key = (e.kind, e.currency)
        if e.amount is not None:
            sums[key] += Decimal(e.amount)
        counts[key] += effect[e.id]
    keys = sorted(set(sums) | set(counts), key=lambda k: (k[0], k[1] or ""))
    return [
        Total(kind, currency, sums[(kind, currency)].quantize(chain.CENTS) if currency else None,
              counts[(kind, currency)])
        for kind, currency in keys
    ]


# ---- concerns ------------------------------------------------------------------------------------


def raise_concern(actor: User, witness: Witness, description: str, entry: BenefitEntry | None = None) -> BenefitConcern:
    description = (description or "").strip()
    if len(description) < 10:
        raise ValidationFailed({"description": "Describe the concern in a sentence or more."})
    if len(description) > 5000:
        raise ValidationFailed({"description": "At most 5000 characters."})
    if entry is not None and entry.witness_id != witness.id:
        raise ValidationFailed({"entry_id": "That entry belongs to another witness."})
    concern = BenefitConcern(
        witness_id=witness.id, entry_id=entry.id if entry else None, description=description,
        raised_by_id=actor.id,
    )
    db.session.add(concern)
    db.session.flush()
    audit.record("benefit.concern.raise", concern, actor=actor, details={"entry": concern.entry_id})
    return concern


def supervised_witness_ids(user: User) -> sa.Select:
    """Witnesses whose (active) liaison officers this user supervises."""
    return (
        sa.select(WitnessAssignment.witness_id)
        .join(User, User.id == WitnessAssignment.user_id)
        .where(
            User.supervisor_id == user.id,
            WitnessAssignment.role == AssignmentRole.LIAISON_OFFICER,
            WitnessAssignment.active_clause(),
        )
    )


def supervises(user: User, witness: Witness) -> bool:
    if user.role == Role.ADMIN:  # admins see none of the witness data
        return False
    query = sa.select(sa.literal(True)).where(
        sa.literal(witness.id).in_(supervised_witness_ids(user).scalar_subquery())
    )
    return bool(db.session.execute(query).scalar())


def open_concerns_for_supervisor(user: User) -> list[BenefitConcern]:
    if user.role == Role.ADMIN:
        return []
    return list(
        db.session.execute(
            sa.select(BenefitConcern)
            .where(
                BenefitConcern.resolved_at.is_(None),
                BenefitConcern.witness_id.in_(supervised_witness_ids(user).scalar_subquery()),
            )
            .options(selectinload(BenefitConcern.witness), selectinload(BenefitConcern.entry),
                     selectinload(BenefitConcern.raised_by))
            .order_by(BenefitConcern.raised_at, BenefitConcern.id)
        ).scalars()
    )


def resolve_concern(actor: User, concern: BenefitConcern, resolution: str) -> BenefitConcern:
    """Only the supervisor of the witness's liaison officer resolves; to anyone else it is not there."""
    if not supervises(actor, concern.witness):
        raise NotFound()
    if concern.resolved_at is not None:
        raise Conflict("This concern is already resolved.")
    resolution = (resolution or "").strip()
    if len(resolution) < 10:
        raise ValidationFailed({"resolution": "Record how the concern was addressed, in a sentence or more."})
    if len(resolution) > 5000:
        raise ValidationFailed({"resolution": "At most 5000 characters."})
    concern.resolved_at = utc_now()
    concern.resolved_by_id = actor.id
    concern.resolution = resolution
    db.session.flush()
    audit.record("benefit.concern.resolve", concern, actor=actor)
    return concern


def concerns_for(witness_ids: list[int] | sa.Select) -> list[BenefitConcern]:
    return list(
        db.session.execute(
            sa.select(BenefitConcern)
            .where(BenefitConcern.witness_id.in_(witness_ids))
            .options(selectinload(BenefitConcern.raised_by), selectinload(BenefitConcern.resolved_by))
            .order_by(BenefitConcern.raised_at, BenefitConcern.id)
        ).scalars()
    )


# ---- checkpoints and verification ----------------------------------------------------------------


def current_head() -> tuple[int, str] | None:
    row = db.session.execute(sa.select(LedgerHead.sequence, LedgerHead.hash).where(LedgerHead.id == 1)).first()
    return (row[0], row[1]) if row else None


def create_checkpoint(actor: User | None = None) -> LedgerCheckpoint:
    sequence, head_hash = current_head() or (0, GENESIS_HASH)
    key = chain.hmac_key()
    created_at = utc_now()
    checkpoint = LedgerCheckpoint(
        sequence=sequence, head_hash=head_hash, created_at=created_at,
        created_by_id=actor.id if actor else None, key_id=chain.key_id(key),
        signature=chain.sign_checkpoint(key, sequence, head_hash, created_at),
    )
    db.session.add(checkpoint)
    db.session.flush()
    audit.record("ledger.checkpoint", checkpoint, actor=actor, details={"sequence": sequence})
    digest.log_checkpoint(db.session(), checkpoint)
    return checkpoint


def checkpoint_every() -> int:
    try:
        return max(0, int(current_app.config.get("LEDGER_CHECKPOINT_EVERY", 100) or 0))
    except (TypeError, ValueError):
        return 100


def _checkpoint_if_due(entry: BenefitEntry) -> None:
    """Every LEDGER_CHECKPOINT_EVERY-th entry is anchored at once (0 turns this off), so the tail
    that only the database vouches for stays short between the daily checkpoints. Signed as the
    system, not as the person who happened to record the entry."""
    every = checkpoint_every()
    if every and entry.id % every == 0:
        create_checkpoint()


def retired_keys() -> list[bytes]:
    """LEDGER_HMAC_RETIRED_KEYS: keys that signed earlier checkpoints, still trusted to verify them."""
    return [key.encode() for key in sorted(_setting_set("LEDGER_HMAC_RETIRED_KEYS"))]


def latest_checkpoint() -> LedgerCheckpoint | None:
    return db.session.execute(
        sa.select(LedgerCheckpoint).order_by(LedgerCheckpoint.id.desc()).limit(1)
    ).scalar_one_or_none()


def checkpoint_is_authentic(checkpoint: LedgerCheckpoint) -> bool:
    key = chain.hmac_key(create=False)
    signing_key = chain.configured_keys(key, retired_keys()).get(checkpoint.key_id) if key is not None else None
    return signing_key is not None and chain.sign_checkpoint(
        signing_key, checkpoint.sequence, checkpoint.head_hash, checkpoint.created_at
    ) == checkpoint.signature


VERIFY_BATCH = 20_000


def _stream_entries() -> Any:
    table = BenefitEntry.__table__
    columns = [table.c[name] for name in (*chain.CHAINED_FIELDS, "prev_hash", "hash")]
    statement = sa.select(*columns).order_by(table.c.id).execution_options(yield_per=VERIFY_BATCH)
    return db.session.execute(statement).mappings()


def verify_ledger(actor: User | None = None, trigger: str = "cli") -> VerificationRun:
    """Walk the whole chain and every checkpoint (streaming), and store the result."""
    started = utc_now()
    checkpoints = [
        chain.CheckpointRecord(c.id, c.sequence, c.head_hash, c.created_at, c.key_id, c.signature)
        for c in db.session.execute(
            # What the database holds now, not what this session remembers.
            sa.select(LedgerCheckpoint).order_by(LedgerCheckpoint.id).execution_options(populate_existing=True)
        ).scalars()
    ]
    head = current_head()
    try:
        logged = list(digest.read_log(digest.digest_path()))
    except digest.DigestLogError as exc:
        result = chain.VerifyResult()
        result.fail(None, f"{exc} The digest log was damaged; restore it from its copy before trusting the ledger.")
    else:
        rows = _stream_entries()
        try:
            result = chain.verify_chain(
                rows, checkpoints, chain.hmac_key(create=False), head, retired_keys=retired_keys(), logged=logged
            )
        finally:
            rows.close()  # the walk stops at the first break: release the server-side cursor now
    run = VerificationRun(
        started_at=started, finished_at=utc_now(), ok=result.ok, entries_checked=result.entries_checked,
        checkpoints_checked=result.checkpoints_checked, first_broken_sequence=result.first_broken_sequence,
        message=result.message, trigger=trigger, run_by_id=actor.id if actor else None,
    )
    db.session.add(run)
    db.session.flush()
    audit.record(
        "ledger.verify", run, actor=actor,
        details={"ok": result.ok, "first_broken_sequence": result.first_broken_sequence},
    )
    return run


def last_verification() -> VerificationRun | None:
    return db.session.execute(
        sa.select(VerificationRun).order_by(VerificationRun.id.desc()).limit(1)
    ).scalar_one_or_none()


# ---- disclosure ----------------------------------------------------------------------------------


def benefits_near_testimony(
    provided_on: date, provided_until: date | None, dates: list[date], window_days: int = 30
) -> list[date]:
    """The testimony dates this benefit falls within `window_days` before (the day itself included).

    A period of support counts when any day of it falls in a window.
    """
    end = provided_until or provided_on
    return sorted(
        {t for t in dates if provided_on <= t and end >= t - timedelta(days=window_days)}
    )


@dataclass
class ScheduleRow:
    entry: BenefitEntry
    near_testimony: list[date]
    corrected_by: list[int]


@dataclass(frozen=True)
class DisclosedClaim:
    """A compensation claim the witness made against a defendant: not a benefit (it is no part of
    the ledger or its totals), but listed because the defence may ask about it."""

    claim_id: int
    defendant: str
    route: str
    status: str
    filed_on: date | None
    amount_claimed: Decimal | None
    claimed_currency: str | None
    amount_awarded: Decimal | None
    awarded_currency: str | None
    amount_paid: Decimal | None


@dataclass
class WitnessSchedule:
    witness: Witness
    rows: list[ScheduleRow]
    totals: list[Total]
    concerns: list[BenefitConcern]
    testimony_dates: list[date]
    claims: list[DisclosedClaim] = field(default_factory=list)
    pending_charges: int = 0  # charges against the witness still pending: for the disclosure review


@dataclass
class Schedule:
    title: str
    witness_id: int | None
    case_id: int | None
    sections: list[WitnessSchedule]
    totals: list[Total]
    checkpoint: LedgerCheckpoint | None
    checkpoint_authentic: bool
    disclosures: list[Disclosure]
    generated_at: datetime
    up_to_sequence: int
    window_days: int = 30
    undisclosed: list[int] = field(default_factory=list)
    timezone: str = "UTC"  # times are shown in the court's zone on a case's schedule


def _witness_schedule(witness: Witness, case_id: int | None, dates: list[date] | None, window: int) -> WitnessSchedule:
    entries = entries_for([witness.id])
    dates = sorted(set(testimony_dates(witness.id, case_id) if dates is None else dates))
    corrected_by: dict[int, list[int]] = defaultdict(list)
    for e in entries:
        if e.corrects_id:
            corrected_by[e.corrects_id].append(e.id)
    rows = [
        ScheduleRow(e, benefits_near_testimony(e.provided_on, e.provided_until, dates, window), corrected_by[e.id])
        for e in entries
    ]
    return WitnessSchedule(witness, rows, totals(entries), concerns_for([witness.id]), dates)


def build_schedule(
    *, witness: Witness | None = None, case: Case | None = None,
    dates: dict[int, list[date]] | None = None,
) -> Schedule:
    """The disclosure schedule of one witness, or of every witness in a case.

    `dates` (witness id → testimony dates) overrides testimony_dates(), for tests and previews.
    """
    window = testimony_window_days()
    if witness is not None:
        witnesses = [witness]
        title = f"Benefits disclosure schedule — witness {witness.reference}"
        scope = Disclosure.witness_id == witness.id
    elif case is not None:
        witnesses = list(
            db.session.execute(
                sa.select(Witness).join(Journey, Journey.witness_id == Witness.id)
                .where(Journey.case_id == case.id).order_by(Witness.reference)
            ).scalars()
        )
        title = f"Benefits disclosure schedule — case {case.reference}"
        scope = Disclosure.case_id == case.id
    else:
        raise OperationError("A schedule is of a witness or of a case.")
    case_id = case.id if case is not None else None
    sections = [
        _witness_schedule(w, case_id, (dates or {}).get(w.id) if dates is not None else None, window)
        for w in witnesses
    ]
    # Other areas add what the defence may ask about (remedies: claims against a defendant).
    for _, answer in schedule_building.send([s.witness.id for s in sections], case_id=case_id):
        for section in sections:
            extra = (answer or {}).get(section.witness.id, {})
            section.claims.extend(extra.get("claims", ()))
            section.pending_charges += extra.get("pending_charges", 0)
    all_entries = [row.entry for s in sections for row in s.rows]
    checkpoint = latest_checkpoint()
    disclosures = list(
        db.session.execute(sa.select(Disclosure).where(scope).order_by(Disclosure.disclosed_on, Disclosure.id))
        .scalars()
    )
    last_disclosed = max((d.up_to_sequence for d in disclosures), default=0)
    return Schedule(
        title=title, witness_id=witness.id if witness else None, case_id=case_id, sections=sections,
        totals=totals(all_entries), checkpoint=checkpoint,
        checkpoint_authentic=checkpoint_is_authentic(checkpoint) if checkpoint else False,
        disclosures=disclosures, generated_at=utc_now(),
        up_to_sequence=max((e.id for e in all_entries), default=0), window_days=window,
        undisclosed=sorted(e.id for e in all_entries if e.id > last_disclosed) if disclosures else [],
        timezone=case.court_timezone if case is not None else "UTC",
    )


def record_disclosure(
    actor: User, *, disclosed_on: date | None, witness: Witness | None = None, case: Case | None = None,
    note: str = "",
) -> Disclosure:
    if disclosed_on is None:
        raise ValidationFailed({"disclosed_on": "Give the date the schedule was disclosed to the defence."})
    if disclosed_on > today_utc() + timedelta(days=1):
        raise ValidationFailed({"disclosed_on": "The disclosure date cannot be in the future."})
    require_dates({"disclosed_on": "disclosure"}, {"disclosed_on": disclosed_on})
    if len(note or "") > 2000:
        raise ValidationFailed({"note": "At most 2000 characters."})
    schedule = build_schedule(witness=witness, case=case)
    disclosure = Disclosure(
        witness_id=witness.id if witness else None, case_id=case.id if case else None,
        disclosed_on=disclosed_on, up_to_sequence=schedule.up_to_sequence,
        checkpoint_id=schedule.checkpoint.id if schedule.checkpoint else None,
        note=(note or "").strip(), recorded_by_id=actor.id,
    )
    db.session.add(disclosure)
    db.session.flush()
    audit.record(
        "benefit.disclosure.record", disclosure, actor=actor,
        details={"case": disclosure.case_id, "up_to_sequence": disclosure.up_to_sequence},
    )
    return disclosure


def record_schedule_view(actor: User, schedule: Schedule, fmt: str) -> None:
    """Every view and export of a schedule is on the audit trail."""
    audit.record(
        "benefit.disclosure.view", actor=actor, object_type="case" if schedule.case_id else "witness",
        object_id=schedule.case_id or schedule.witness_id, witness_id=schedule.witness_id,
        details={"format": fmt, "up_to_sequence": schedule.up_to_sequence},
    )
