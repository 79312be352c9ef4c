"""A witness's journey on one screen: stages, court events, risk levels, aid decisions, notices queued and sent.

Built with a fixed number of queries (one per kind of entry, whatever the number of rows) from the
existing records; each kind appears only to a role that may see it, and the witness only by reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import contains_eager

from ..access import access_reasons, sees, visible_case_ids
from ..auth.models import User
from ..cases.models import Case, Defendant, Journey, JourneyTransition
from ..court.models import AidStatusChange, CourtEvent, EventWitness, TestimonialAid
from ..custody.models import CustodyEvent
from ..extensions import db
from ..notifications.models import Notification, Status
from ..permissions import FieldGroup, Permission, has_permission
from ..protection.models import PlanRevision, ProtectionPlan
from ..remedies import queries as remedies_queries
from ..templating import local_time
from ..witnesses.models import RiskAssessment, Witness


@dataclass
class Entry:
    """One point on the timeline. `kind` names the CSS marker; `title` and `detail` are the words."""

    at: datetime
    kind: str  # stage, court_event, risk, aid, notice, custody, plan
    title: str
    detail: str = ""
    tz: str = "UTC"
    link: str | None = None
    modifier: str = ""  # e.g. risk level, event status: a CSS class that only repeats the words
    date_only: bool = False
    future: bool = False
    deadline: datetime | None = None  # a queued notice's: shown in the timeline's zone


# A notice's state in words, as the timeline says it.
NOTICE_STATES = {
    Status.PENDING: "queued",
    Status.SENDING: "being sent",
    Status.AWAITING_OFFICER: "for the officer to deliver",
    Status.SENT: "sent",
    Status.FAILED: "failed",
}


class _All:
    """Every case id (the events are read from the user's cases only)."""

    def __contains__(self, item: object) -> bool:
        return True


CASE_IDS_ALL = _All()


def _day(value: date) -> datetime:
    # Dates without a time (risk assessed on, aid decided on) sort at the start of that UTC day.
    return datetime.combine(value, time.min, tzinfo=UTC)


def _words(value: str | None) -> str:
    text = (value or "").replace("_", " ")
    return text.replace("pre trial", "pre-trial").replace("post trial", "post-trial")


def timeline_zone(witness: Witness) -> str:
    """The one time zone a witness's timeline is told in: their latest case's court, else UTC.

    A timeline mixing zones (stages in court time, notices in UTC) read out of order; every
    entry is shown in this zone, and the page names it.
    """
    zone = db.session.execute(
        sa.select(Case.court_timezone).join(Journey, Journey.case_id == Case.id)
        .where(Journey.witness_id == witness.id).order_by(Journey.id.desc()).limit(1)
    ).scalar_one_or_none()
    return zone or "UTC"


def witness_timeline(user: User, witness: Witness, now: datetime) -> list[Entry]:
    """Every entry of the witness's story the user may see, oldest first, all in one zone."""
    zone = timeline_zone(witness)
    entries = _entries(user, witness, now)
    for entry in entries:
        entry.tz = zone
        if entry.kind == "notice" and entry.deadline is not None:
            entry.detail = f"to be delivered by {local_time(entry.deadline, zone)}"
    return entries


def _entries(user: User, witness: Witness, now: datetime) -> list[Entry]:  # noqa: C901 - one block per kind
    """Every entry of the witness's story the user may see, oldest first."""
    cases = visible_case_ids(user).scalar_subquery()
    entries: list[Entry] = []

    for transition, journey in db.session.execute(
        sa.select(JourneyTransition, Journey)
        .join(Journey, Journey.id == JourneyTransition.journey_id)
        .join(Case, Case.id == Journey.case_id)
        .options(contains_eager(Journey.case))
        .where(Journey.witness_id == witness.id)
        .order_by(JourneyTransition.at, JourneyTransition.id)
    ).all():
        tz = journey.case.court_timezone
        verb = "Linked to case" if transition.from_stage is None else "Moved to"
        entries.append(Entry(
            at=transition.at, kind="stage", tz=tz, modifier=transition.to_stage,
            title=f"{verb} {journey.case.reference}: {_words(transition.to_stage)}"
            if transition.from_stage is None else f"{verb} {_words(transition.to_stage)} ({journey.case.reference})",
            detail=transition.reason or "",
        ))

    for assessment in db.session.execute(
        sa.select(RiskAssessment).where(RiskAssessment.witness_id == witness.id)
        .order_by(RiskAssessment.assessed_on, RiskAssessment.id)
    ).scalars():
        entries.append(Entry(
            at=_day(assessment.assessed_on), kind="risk", modifier=assessment.level, date_only=True,
            title=f"Risk assessed: {_words(assessment.level)} ({_words(assessment.stage)} stage)",
            detail=f"Next review {assessment.next_review_on.isoformat()}",
        ))

    if has_permission(user, Permission.COURT_EVENT_VIEW):
        break_glass = "break_glass" in access_reasons(user, witness)
        case_ids = set(db.session.execute(visible_case_ids(user)).scalars()) if break_glass else CASE_IDS_ALL
        for event in db.session.execute(
            sa.select(CourtEvent)
            .join(EventWitness, EventWitness.event_id == CourtEvent.id)
            .join(Case, Case.id == CourtEvent.case_id)
            .options(contains_eager(CourtEvent.case))
            # An officer holding break-glass sees the witness's court dates (court logistics)
            # without the case.
            .where(EventWitness.witness_id == witness.id, sa.true() if break_glass else CourtEvent.case_id.in_(cases))
            .order_by(CourtEvent.starts_at, CourtEvent.id)
        ).scalars():
            status = "" if event.status == "scheduled" else f" — {_words(event.status)}"
            entries.append(Entry(
                at=event.starts_at, kind="court_event", tz=event.case.court_timezone, modifier=event.status,
                title=f"{_words(event.kind).capitalize()}{status} ({event.case.reference})",
                detail=", ".join(p for p in (event.court_name, event.room) if p),
                link=url_for("court.show_event", event_id=event.id) if event.case_id in case_ids else None,
                future=event.starts_at > now,
            ))

    if has_permission(user, Permission.AID_VIEW):
        for change, aid in db.session.execute(
            sa.select(AidStatusChange, TestimonialAid)
            .join(TestimonialAid, TestimonialAid.id == AidStatusChange.aid_id)
            .where(TestimonialAid.witness_id == witness.id, TestimonialAid.case_id.in_(cases))
            .order_by(AidStatusChange.at, AidStatusChange.id)
        ).all():
            entries.append(Entry(
                at=change.at, kind="aid", modifier=change.to_status,
                title=f"Aid {_words(change.to_status)}: {_words(aid.kind)}",
                detail=f"Order {aid.order_reference}" if change.to_status == "granted" and aid.order_reference else "",
            ))

    if has_permission(user, Permission.NOTIFICATION_VIEW):
        for notice in db.session.execute(
            sa.select(Notification)
            .where(Notification.witness_id == witness.id, Notification.status != Status.CANCELLED)
            .order_by(Notification.triggered_at, Notification.id)
        ).scalars():
            sent = notice.status == Status.SENT and notice.sent_at is not None
            entries.append(Entry(
                at=notice.sent_at if sent else notice.triggered_at,  # type: ignore[arg-type]
                kind="notice", modifier=notice.status,
                title=f"Notice {NOTICE_STATES.get(notice.status, notice.status)}: {_words(notice.kind)}",
                detail=(f"by {_words(notice.channel)}" if notice.channel else "") if sent else "",
                deadline=None if sent else notice.deadline_at,
            ))

    if sees(user, witness, FieldGroup.COURT_LOGISTICS):
        # What happened to the defendants' custody, in words (the conditions stay on the pages that
        # filter them per field group).
        for event, case, offender in db.session.execute(
            sa.select(CustodyEvent, Case, Defendant.name)
            .join(Case, Case.id == CustodyEvent.case_id)
            .join(Defendant, Defendant.id == CustodyEvent.defendant_id)
            .join(Journey, Journey.case_id == CustodyEvent.case_id)
            .where(Journey.witness_id == witness.id)
            .order_by(CustodyEvent.occurred_at, CustodyEvent.id)
        ).all():
            entries.append(Entry(
                at=event.occurred_at, kind="custody", tz=case.court_timezone, modifier=event.kind,
                title=f"Custody: {offender} {event.words} ({case.reference})",
                detail=f"Corrects an earlier entry: {event.note}" if event.corrects_id else "",
            ))

    if sees(user, witness, FieldGroup.RISK_DETAIL):
        for revision in db.session.execute(
            sa.select(PlanRevision).join(ProtectionPlan, ProtectionPlan.id == PlanRevision.plan_id)
            .where(ProtectionPlan.witness_id == witness.id).order_by(PlanRevision.number)
        ).scalars():
            entries.append(Entry(
                at=revision.revised_at, kind="plan",
                title=f"Protection plan revised (revision {revision.number})",
                detail=f"Next review {revision.review_on.isoformat()}",
                link=url_for("protection.show", witness_id=witness.id),
            ))

    entries.extend(_remedies(user, witness, now))
    entries.sort(key=lambda e: e.at)
    return entries


def _remedies(user: User, witness: Witness, now: datetime) -> list[Entry]:
    """Claims, awards and payments (benefits summary); permits, charges and property (identity)."""
    entries: list[Entry] = []
    link = url_for("remedies.show", witness_id=witness.id)
    if sees(user, witness, FieldGroup.BENEFITS_SUMMARY):
        for claim in remedies_queries.claims_of(witness.id):
            entries.append(Entry(at=claim.created_at, kind="remedy", title=f"Compensation claim: {claim.route_words}",
                                 detail=_words(claim.status), link=link))
            if claim.awarded_on:
                entries.append(Entry(at=_day(claim.awarded_on), kind="remedy", date_only=True, link=link,
                                     title=f"Compensation awarded: {claim.amount_awarded} {claim.awarded_currency}"))
            for payment in claim.payments:
                entries.append(Entry(at=_day(payment.paid_on), kind="remedy", date_only=True, link=link,
                                     title=f"Compensation paid: {payment.amount} {payment.currency}"))
    if sees(user, witness, FieldGroup.IDENTITY):
        for permit in remedies_queries.permits_of(witness.id):
            entries.append(Entry(at=_day(permit.issued_on), kind="remedy", date_only=True, link=link,
                                 title=f"Residence permit issued: {permit.kind_words}"))
            if permit.expires_on:
                entries.append(Entry(at=_day(permit.expires_on), kind="remedy", date_only=True, link=link,
                                     title=f"Residence permit expires: {permit.kind_words}",
                                     future=_day(permit.expires_on) > now))
        for charge in remedies_queries.charges_of(witness.id):
            entries.append(Entry(at=charge.created_at, kind="remedy", link=link,
                                 title=f"Charge against the witness recorded: {_words(charge.offence)}"))
            if charge.decided_on:
                entries.append(Entry(at=_day(charge.decided_on), kind="remedy", date_only=True, link=link,
                                     title=f"Charge against the witness: {_words(charge.decision)}"))
        for item in remedies_queries.property_of(witness.id):
            entries.append(Entry(at=_day(item.taken_on), kind="remedy", date_only=True, link=link,
                                 title=f"Taken as evidence: {_words(item.kind)}"))
            if item.returned_on:
                entries.append(Entry(at=_day(item.returned_on), kind="remedy", date_only=True, link=link,
                                     title=f"Returned: {_words(item.kind)}"))
    return entries
