"""The rules of outcomes: recording a verdict moves the witnesses on and tells them; every
change is kept as history; custody changes notify at once; impact statements are chased."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..auth.models import User
from ..cases.models import Case, CustodyStatus, Defendant, Journey, Stage
from ..cases.operations import transition_journey
from ..cases.queries import liaison_officer_for
from ..dates import check_date, require_dates
from ..db import utc_now
from ..errors import Conflict, OperationError, ValidationFailed
from ..extensions import db
from ..ledger.currencies import ISO_4217
from ..tasks.operations import create_task
from ..witnesses.models import Witness
from ..workdays import add_working_days
from .models import (
    OPEN_STATEMENT_STATUSES,
    AppealOutcome,
    CustodyChange,
    ImpactStatement,
    Outcome,
    OutcomeChange,
    SentenceKind,
    StatementStatus,
    Verdict,
)
from .signals import News, outcome_news, outcome_saved

SENTENCE_FIELDS = ("sentence_kind", "sentence_months", "sentence_details", "sentenced_on",
                   "earliest_release_date", "proposed_release_date", "appeal_deadline")
APPEAL_FIELDS = ("appeal_lodged_by", "appeal_lodged_on")
COMPENSATION_FIELDS = ("compensation_amount", "compensation_currency", "compensation_due_on", "compensation_witness_id")
EDITABLE = ("verdict", "charges", *SENTENCE_FIELDS, *APPEAL_FIELDS, "appeal_outcome", *COMPENSATION_FIELDS)
APPEAL_PARTIES = frozenset({"prosecution", "defence"})
# Custody changes the victim must hear about at once.
CUSTODY_NOTICES = {CustodyChange.RELEASED: News.RELEASED, CustodyChange.ESCAPED: News.ESCAPED,
                   CustodyChange.RECALLED: News.RECALLED}


# The range each date of an outcome must fall in (dates.RULES).
DATE_RULES = {"sentenced_on": "court_past", "earliest_release_date": "release", "proposed_release_date": "release",
              "appeal_deadline": "court_future", "appeal_lodged_on": "court_past",
              "compensation_due_on": "court_future"}


def _check_date_ranges(given: dict[str, Any], errors: dict[str, str]) -> None:
    """Only the dates the user gave: a stored one never blocks an unrelated change."""
    for name, rule in DATE_RULES.items():
        check_date(errors, name, given.get(name), rule)


# Dates that cannot come before the sentence: (field, message). A date is checked against its
# neighbour only when one of the two is being set, so an old record never blocks an unrelated change.
AFTER_SENTENCE = (
    ("earliest_release_date", "The earliest release date cannot be before the date of the sentence."),
    ("proposed_release_date", "The release date cannot be before the date of the sentence."),
    ("appeal_deadline", "The appeal deadline cannot be before the date of the sentence."),
    ("compensation_due_on", "The compensation cannot be due before the date of the sentence."),
)


def _check_neighbours(values: dict[str, Any], changed: set[str], errors: dict[str, str]) -> None:
    """Each date against the dates around it, and a proposed release, when set or changed, ahead."""
    sentenced_on = values.get("sentenced_on")
    for name, message in AFTER_SENTENCE:
        value = values.get(name)
        if sentenced_on and value and value < sentenced_on and {name, "sentenced_on"} & changed:
            errors.setdefault(name, message)
    earliest, proposed = values.get("earliest_release_date"), values.get("proposed_release_date")
    if earliest and proposed and earliest > proposed:
        errors.setdefault("earliest_release_date",
                          "The earliest release date cannot be after the proposed release date.")
    if "proposed_release_date" in changed:
        check_date(errors, "proposed_release_date", proposed, "release_ahead")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if isinstance(value, date) else value


def _compensation(values: dict[str, Any], case_id: int, errors: dict[str, str]) -> None:
    """A compensation order: a positive amount in an ISO 4217 currency, for a witness of the case,
    after a conviction. Cleans the amount and code in `values`."""
    amount, currency = values.get("compensation_amount"), values.get("compensation_currency")
    witness_id, due = values.get("compensation_witness_id"), values.get("compensation_due_on")
    if amount in (None, "") and not currency and witness_id is None and due is None:
        values["compensation_amount"] = values["compensation_currency"] = None
        return
    try:
        amount = Decimal(str(amount).strip()) if amount not in (None, "") and not isinstance(amount, bool) else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount > Decimal("999999999999.99") \
            or amount != amount.quantize(Decimal("0.01")):
        errors["compensation_amount"] = "Give the amount ordered as a positive number, such as 5000.00."
    else:
        values["compensation_amount"] = amount.quantize(Decimal("0.01"))
    code = currency.strip().upper() if isinstance(currency, str) else None
    if code not in ISO_4217:
        errors["compensation_currency"] = "Give the currency as an ISO 4217 code, such as EUR."
    else:
        values["compensation_currency"] = code
    if not isinstance(witness_id, int) or db.session.execute(
        sa.select(Journey.id).where(Journey.case_id == case_id, Journey.witness_id == witness_id)
    ).first() is None:
        errors["compensation_witness_id"] = "Choose the witness of this case the order is for."
    if values.get("verdict") != Verdict.CONVICTED:
        errors["compensation_amount"] = "Only a conviction carries a compensation order."


def _validate(values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if values.get("verdict") not in set(Verdict):
        errors["verdict"] = "Choose convicted, acquitted, dismissed or other."
    kind = values.get("sentence_kind")
    if kind is not None and kind not in set(SentenceKind):
        errors["sentence_kind"] = "Choose imprisonment, suspended, fine, community or other."
    if kind is not None and values.get("verdict") != Verdict.CONVICTED:
        errors["sentence_kind"] = "Only a conviction carries a sentence."
    months = values.get("sentence_months")
    if months is not None and (not isinstance(months, int) or months < 0 or months > 1200):
        errors["sentence_months"] = "Give the length in whole months (0 to 1200)."
    if kind == SentenceKind.IMPRISONMENT and months is None:
        errors["sentence_months"] = "Give the length of the prison sentence in months."
    earliest, proposed = values.get("earliest_release_date"), values.get("proposed_release_date")
    if (proposed or earliest) and kind is None:
        errors["sentence_kind"] = "Record the sentence with its release dates."
    party = values.get("appeal_lodged_by")
    if party is not None and party not in APPEAL_PARTIES:
        errors["appeal_lodged_by"] = "Choose prosecution or defence."
    if bool(party) != bool(values.get("appeal_lodged_on")):
        errors["appeal_lodged_on"] = "Give both who lodged the appeal and when."
    outcome = values.get("appeal_outcome")
    if outcome is not None:
        if outcome not in set(AppealOutcome):
            errors["appeal_outcome"] = "Choose dismissed, allowed, sentence_varied, retrial or withdrawn."
        elif not values.get("appeal_lodged_on"):
            errors["appeal_outcome"] = "Record the appeal being lodged before its outcome."
    return errors


def _sentence_words(outcome: Outcome) -> str:
    if not outcome.sentence_kind:
        return ""
    words = outcome.sentence_kind.replace("_", " ")
    if outcome.sentence_months:
        words += f", {outcome.sentence_months} months"
    if outcome.sentence_details:
        words += f" ({outcome.sentence_details})"
    return words


def notice_context(outcome: Outcome) -> dict[str, Any]:
    """What the full notices may say. Only channels the victim marked safe ever carry it."""
    return {
        "offender": outcome.defendant.name,
        "verdict_code": outcome.verdict,
        "charges": outcome.charges,
        "sentence": _sentence_words(outcome),
        "earliest_release_date": _plain(outcome.earliest_release_date) or "",
        "release_date": _plain(outcome.proposed_release_date) or "",
        "appeal_deadline": _plain(outcome.appeal_deadline) or "",
        "appeal_lodged_by": outcome.appeal_lodged_by or "",
        "appeal_lodged_on": _plain(outcome.appeal_lodged_on) or "",
        "appeal_outcome": (outcome.appeal_outcome or "").replace("_", " "),
        "changed_on": _plain(outcome.custody_changed_on) or "",
        # Told only in the notices of the witness the order is for (and never in a minimal one).
        "compensation_for": outcome.compensation_witness_id,
        "compensation_amount": _plain(outcome.compensation_amount) or "",
        "compensation_currency": outcome.compensation_currency or "",
        "compensation_due_on": _plain(outcome.compensation_due_on) or "",
    }


def _notify(outcome: Outcome, news: News, key_part: str, now: datetime) -> None:
    outcome_news.send(outcome, news=news, context=notice_context(outcome), triggered_at=now,
                      key=f"{news}:o{outcome.id}:{key_part}")


def _working_days_from(now: datetime, days: int, case: Case) -> datetime:
    config = current_app.config
    return add_working_days(now, days, tz=case.court_timezone, weekdays=config["WORKING_WEEKDAYS"],
                            holidays=config["HOLIDAYS"])


def _after_verdict(actor: User, outcome: Outcome, now: datetime) -> None:
    """Every witness of the case: journey to post-trial, and the protection plan revisited.

    The verdict is never lost to the risk-assessment rule: if a journey cannot move yet, the
    officer gets a task to record the post-trial assessment and move it.
    """
    case = outcome.case
    journeys = db.session.execute(
        sa.select(Journey).where(Journey.case_id == case.id, Journey.stage != Stage.CLOSED).order_by(Journey.id)
    ).scalars().all()
    due = _working_days_from(now, int(current_app.config["PROTECTION_PLAN_REVISION_WORKING_DAYS"]), case)
    for journey in journeys:
        reference = journey.witness.reference
        officer = liaison_officer_for(journey.witness_id, case.id) or actor
        if journey.stage != Stage.POST_TRIAL:
            try:
                transition_journey(actor, journey, Stage.POST_TRIAL, reason=f"Verdict recorded ({outcome.verdict}).")
            except OperationError:
                # transition_journey refuses before changing anything, so the session is clean.
                create_task(
                    officer, "post_trial_assessment",
                    f"Record a post-trial risk assessment for {reference} and move the journey to post-trial",
                    due_at=due, witness_id=journey.witness_id, case_id=case.id, urgent=True,
                    source=("outcome", outcome.id), dedup_key=f"post-trial-move:j{journey.id}", group_open=True,
                    actor=actor,
                )
        create_task(
            officer, "revise_protection_plan",
            f"Revise the protection plan with {reference} after the verdict",
            due_at=due, witness_id=journey.witness_id, case_id=case.id,
            source=("outcome", outcome.id), dedup_key=f"revise-plan:o{outcome.id}:w{journey.witness_id}",
            group_open=True, actor=actor,
        )


def record_outcome(actor: User, defendant: Defendant, *, note: str = "", **fields: Any) -> Outcome:
    """Record the verdict (and, if known, the sentence) for a defendant."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(dict.fromkeys(sorted(unknown), "Unknown field."))
    values = {name: fields.get(name) for name in EDITABLE}
    values["charges"] = (values["charges"] or "").strip()
    values["sentence_details"] = (values["sentence_details"] or "").strip()
    errors = _validate(values)
    _compensation(values, defendant.case_id, errors)
    _check_date_ranges(values, errors)
    _check_neighbours(values, {k for k, v in values.items() if v is not None}, errors)
    if errors:
        raise ValidationFailed(errors)
    if db.session.execute(sa.select(Outcome.id).where(Outcome.defendant_id == defendant.id)).first():
        raise Conflict("An outcome is already recorded for this defendant; change it instead.")
    now = utc_now()
    outcome = Outcome(case_id=defendant.case_id, defendant_id=defendant.id, recorded_by_id=actor.id, **values)
    db.session.add(outcome)
    db.session.flush()
    db.session.add(OutcomeChange(
        outcome_id=outcome.id, kind="verdict", actor_id=actor.id, note=(note or "").strip(),
        changes={k: [None, _plain(v)] for k, v in values.items() if v not in (None, "")},
    ))
    if outcome.sentence_kind == SentenceKind.IMPRISONMENT:
        defendant.custody_status = CustodyStatus.SENTENCED
    db.session.flush()
    audit.record("outcome.record", outcome, actor=actor, details={"case_id": outcome.case_id,
                                                                  "verdict": outcome.verdict})
    _after_verdict(actor, outcome, now)
    outcome_saved.send(outcome, actor=actor, changed=frozenset(k for k, v in values.items() if v not in (None, "")))
    _notify(outcome, News.VERDICT, outcome.verdict, now)
    if outcome.sentence_kind:
        _notify(outcome, News.SENTENCE, _sentence_key(outcome), now)
    return outcome


def _sentence_key(outcome: Outcome) -> str:
    return f"{outcome.sentence_kind}-{outcome.sentence_months}-{outcome.proposed_release_date}"


def update_outcome(actor: User, outcome: Outcome, *, note: str = "", **fields: Any) -> Outcome:
    """Change an outcome: the sentence, an appeal, its result, or a correction. Kept as history;
    the witnesses hear of a new verdict, sentence, appeal or appeal outcome."""
    custody = fields.pop("custody", None)
    custody_on = fields.pop("custody_changed_on", None)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(dict.fromkeys(sorted(unknown), "Unknown field."))
    if "charges" in fields or "sentence_details" in fields:
        for name in ("charges", "sentence_details"):
            if name in fields:
                fields[name] = (fields[name] or "").strip()
    before = {name: getattr(outcome, name) for name in EDITABLE}
    after = {**before, **fields}
    changed = {k: [_plain(before[k]), _plain(after[k])] for k in EDITABLE if before[k] != after[k]}
    if not changed and custody is None:
        raise ValidationFailed({}, "Nothing to change.")
    errors = _validate(after)
    _compensation(after, outcome.case_id, errors)
    changed = {k: [_plain(before[k]), _plain(after[k])] for k in EDITABLE if before[k] != after[k]}
    _check_date_ranges(fields, errors)
    _check_neighbours(after, set(changed), errors)
    check_date(errors, "custody_changed_on", custody_on, "court_past")
    if custody is not None and custody not in set(CustodyChange):
        errors["custody"] = "Choose released, recalled, escaped, transferred or died."
    if errors:
        raise ValidationFailed(errors)
    now = utc_now()
    if changed:
        for name in changed:
            setattr(outcome, name, after[name])
        kind = _change_kind(changed)
        db.session.add(OutcomeChange(outcome_id=outcome.id, kind=kind, changes=changed, actor_id=actor.id,
                                     note=(note or "").strip()))
        if outcome.sentence_kind == SentenceKind.IMPRISONMENT and "sentence_kind" in changed:
            outcome.defendant.custody_status = CustodyStatus.SENTENCED
        db.session.flush()
        audit.record("outcome.update", outcome, actor=actor, details={"kind": kind, "fields": sorted(changed)})
        outcome_saved.send(outcome, actor=actor, changed=frozenset(changed))
        if "verdict" in changed:
            _notify(outcome, News.VERDICT, outcome.verdict, now)
            _after_verdict(actor, outcome, now)
        if outcome.sentence_kind and set(changed) & {"sentence_kind", "sentence_months", "proposed_release_date"}:
            _notify(outcome, News.SENTENCE, _sentence_key(outcome), now)
        if "appeal_lodged_on" in changed and outcome.appeal_lodged_on:
            _notify(outcome, News.APPEAL_LODGED, outcome.appeal_lodged_on.isoformat(), now)
        if "appeal_outcome" in changed and outcome.appeal_outcome:
            _notify(outcome, News.APPEAL_OUTCOME, outcome.appeal_outcome, now)
    if custody is not None:
        record_custody_change(actor, outcome, custody, on=custody_on, note=note)
    return outcome


def _change_kind(changed: dict[str, Any]) -> str:
    if "verdict" in changed:
        return "verdict"
    if "appeal_outcome" in changed:
        return "appeal_outcome"
    if set(changed) & set(APPEAL_FIELDS):
        return "appeal_lodged"
    if set(changed) <= {"proposed_release_date", "earliest_release_date"}:
        return "release_date"
    if set(changed) & set(SENTENCE_FIELDS):
        return "sentence"
    return "correction"


def record_custody_change(actor: User, outcome: Outcome, change: str, *, on: date | None = None,
                          note: str = "") -> OutcomeChange:
    """Released, recalled, escaped, transferred, died: kept as history; the first three are told
    to the victim at once."""
    if change not in set(CustodyChange):
        raise ValidationFailed({"custody": "Choose released, recalled, escaped, transferred or died."})
    on = on or utc_now().date()
    if on > utc_now().date() + timedelta(days=1):
        raise ValidationFailed({"custody_changed_on": "A custody change cannot be in the future."})
    require_dates({"custody_changed_on": "court_past"}, {"custody_changed_on": on})
    entry = OutcomeChange(
        outcome_id=outcome.id, kind="custody", actor_id=actor.id, note=(note or "").strip(),
        changes={"custody": [outcome.custody, change], "custody_changed_on": [_plain(outcome.custody_changed_on),
                                                                              on.isoformat()]},
    )
    outcome.custody, outcome.custody_changed_on = change, on
    if change == CustodyChange.ESCAPED:
        outcome.defendant.custody_status = CustodyStatus.AT_LARGE
    elif change == CustodyChange.RECALLED:
        outcome.defendant.custody_status = CustodyStatus.SENTENCED
    db.session.add(entry)
    db.session.flush()
    audit.record("outcome.custody", outcome, actor=actor, details={"custody": change})
    if change in CUSTODY_NOTICES:
        _notify(outcome, CUSTODY_NOTICES[change], f"{change}-{on.isoformat()}", utc_now())
    return entry


# ---- victim impact statements ------------------------------------------------------------------

# Phrases that ask for or judge a sentence. The guide: victims must not give an opinion about an
# appropriate sentence. A warning for the officer to discuss, never a refusal.
_OPINION_PATTERNS = [
    r"\b(should|must|ought to|deserves?|hope (he|she|they) gets?)\b[^.]{0,60}\b(prison|jail|years?|sentence|"
    r"punish\w*|locked up|death|life)\b",
    r"\b(maximum|harshest|longest|toughest|severe|lenient|light)\s+(possible\s+)?(sentence|punishment|penalty)\b",
    r"\b(lock (him|her|them) up|throw away the key|never (be )?released|death penalty|life imprisonment)\b",
    r"\b(hukuman (mati|seumur hidup|maksimal|seberat-beratnya)|dipenjara seumur hidup)\b",
]


def sentence_opinion_warnings(text: str) -> list[str]:
    """The passages of a statement that read like an opinion on the sentence."""
    found = []
    for pattern in _OPINION_PATTERNS:
        for match in re.finditer(pattern, text or "", flags=re.IGNORECASE):
            found.append(match.group(0))
    return found


def record_impact_statement(
    actor: User, witness: Witness, case: Case, *, status: str = StatementStatus.OFFERED,
    sentencing_date: date | None = None, due_date: date | None = None, text: str | None = None,
) -> ImpactStatement:
    """Create or update the statement of a witness in a case. Dates follow the sentencing hearing."""
    errors = {}
    if status not in set(StatementStatus):
        errors["status"] = "Choose offered, declined, drafting or submitted."
    if not db.session.execute(
        sa.select(Journey.id).where(Journey.case_id == case.id, Journey.witness_id == witness.id)
    ).first():
        errors["case_id"] = "The witness is not a witness in this case."
    check_date(errors, "sentencing_date", sentencing_date, "court_future")
    check_date(errors, "due_date", due_date, "court_future")
    if due_date and sentencing_date and due_date > sentencing_date:
        errors["due_date"] = "The statement is due before the sentencing hearing."
    if errors:
        raise ValidationFailed(errors)
    statement = db.session.execute(
        sa.select(ImpactStatement).where(ImpactStatement.witness_id == witness.id, ImpactStatement.case_id == case.id)
    ).scalar_one_or_none()
    created = statement is None
    if statement is None:
        statement = ImpactStatement(witness_id=witness.id, case_id=case.id)
        db.session.add(statement)
    statement.status = status
    if sentencing_date is not None:
        if statement.sentencing_date != sentencing_date:
            statement.reminder_task_id = None  # a moved hearing needs its own reminder
        statement.sentencing_date = sentencing_date
    if due_date is not None:
        statement.due_date = due_date
    if text is not None:
        statement.text = text
        statement.sentence_opinion_warnings = sentence_opinion_warnings(text)
    db.session.flush()
    audit.record("impact_statement.create" if created else "impact_statement.update", statement, actor=actor,
                 details={"status": status, "opinion_warnings": len(statement.sentence_opinion_warnings or [])})
    return statement


def set_sentencing_date(case_id: int, sentencing_date: date) -> int:
    """For court events: the sentencing hearing was set or moved; open statements follow it."""
    statements = db.session.execute(
        sa.select(ImpactStatement).where(ImpactStatement.case_id == case_id)
    ).scalars().all()
    for statement in statements:
        if statement.sentencing_date != sentencing_date:
            statement.sentencing_date = sentencing_date
            statement.reminder_task_id = None
    db.session.flush()
    return len(statements)


def statements_needing_reminder(today: date) -> sa.Select:
    days = int(current_app.config["IMPACT_STATEMENT_REMINDER_DAYS"])
    return sa.select(ImpactStatement).where(
        ImpactStatement.status.in_(list(OPEN_STATEMENT_STATUSES)),
        ImpactStatement.sentencing_date >= today,
        ImpactStatement.sentencing_date <= today + timedelta(days=days),
        ImpactStatement.reminder_task_id.is_(None),
    )


def raise_statement_reminders(today: date) -> int:
    """A task for the liaison officer when sentencing is near and the statement is still open."""
    count = 0
    for statement in db.session.execute(statements_needing_reminder(today)).scalars().all():
        reference = db.session.execute(sa.select(Witness.reference).where(Witness.id == statement.witness_id)).scalar()
        officer = liaison_officer_for(statement.witness_id, statement.case_id)
        if officer is None:
            continue
        task = create_task(
            officer, "impact_statement",
            f"Victim impact statement for {reference} is still {statement.status}: sentencing on "
            f"{statement.sentencing_date.isoformat()}",
            due_at=None, witness_id=statement.witness_id, case_id=statement.case_id,
            source=("impact_statement", statement.id),
            dedup_key=f"impact-statement:{statement.id}:{statement.sentencing_date.isoformat()}",
        )
        statement.reminder_task_id = task.id
        count += 1
    db.session.flush()
    return count
