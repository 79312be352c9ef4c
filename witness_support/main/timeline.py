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
from ..aids.models import AidStatusChange, TestimonialAid
from ..auth.models import User
from ..cases.models import Case, Defendant, Journey, JourneyTransition
from ..contacts.models import WitnessContact
from ..court.models import CourtEvent, EventWitness
from ..custody.models import CustodyEvent
from ..extensions import db
from ..notifications.models import Notification, Status
from ..permissions import FieldGroup, Permission, has_permission
from ..protection.models import PlanRevision, ProtectionPlan
from ..remedies import queries as remedies_queries
from ..services.models import (
    Consent,
    InformationGiven,
    Method,
    Organisation,
    Referral,
    ReferralStatus,
    SustainabilityReview,
    service_words,
)
from ..templating import local_time
from ..witnesses.models import RiskAssessment, Witness


@dataclass
class Entry:
    """One point on the timeline. `kind` names the CSS marker; `title` and `detail` are the words."""

    at: datetime
    kind: str  # stage, court_event, attendance, risk, aid, notice, custody, plan, remedy, services, contact
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
    home_tz = ""  # the court's zone of the witness's first case: for entries of no case

    for transition, journey in db.session.execute(
        sa.select(JourneyTransition, Journey)
        .join(Journey, Journey.id == JourneyTransition.journey_id)
        .join(Case, Case.id == Journey.case_id)
        .options(contains_eager(Journey.case))
        .where(Journey.witness_id == witness.id)
        .order_by(JourneyTransition.at, JourneyTransition.id)
    ).all():
        tz = journey.case.court_timezone
        home_tz = home_tz or tz
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

        # How each attendance went, once it is recorded (one query, like the events themselves).
        for link, event in db.session.execute(
            sa.select(EventWitness, CourtEvent)
            .join(CourtEvent, CourtEvent.id == EventWitness.event_id)
            .join(Case, Case.id == CourtEvent.case_id)
            .options(contains_eager(CourtEvent.case))
            .where(EventWitness.witness_id == witness.id, EventWitness.outcome.is_not(None),
                   sa.true() if break_glass else CourtEvent.case_id.in_(cases))
            .order_by(CourtEvent.starts_at, CourtEvent.id)
        ).all():
            entries.append(Entry(
                at=event.starts_at, kind="attendance", tz=event.case.court_timezone, modifier=link.outcome,
                title=f"Court attendance: {link.outcome_words} ({_words(event.kind)}, {event.case.reference})",
                detail=link.outcome_reason or "",
                link=url_for("court.show_event", event_id=event.id) if event.case_id in case_ids else None,
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

    if sees(user, witness, FieldGroup.CONTACT):
        # The contact log: what was said is the contact group's, like how to reach the witness.
        for contact in db.session.execute(
            sa.select(WitnessContact).where(WitnessContact.witness_id == witness.id)
            .order_by(WitnessContact.occurred_at, WitnessContact.id)
        ).scalars():
            follow = f" Follow up on {contact.follow_up_on.isoformat()}." if contact.follow_up_on else ""
            interpreter = f" (interpreted: {contact.interpreter_language})" if contact.interpreter_language else ""
            entries.append(Entry(
                at=contact.occurred_at, kind="contact", tz=contact.timezone, modifier=contact.channel,
                title=f"Contact: {contact.channel_words} with {contact.counterpart_words}{interpreter}",
                detail=contact.summary + follow, link=url_for("contacts.show", witness_id=witness.id, _anchor="log"),
            ))

    entries.extend(_remedies(user, witness, now))
    if sees(user, witness, FieldGroup.NEEDS):
        entries.extend(_services(witness, home_tz or "UTC"))
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


def _services(witness: Witness, tz: str) -> list[Entry]:
    """What the witness was told, what they agreed to (and withdrew), their referrals and their
    answers, and the sustainable-protection reviews (the needs group): one statement per kind."""
    entries: list[Entry] = []

    def link(anchor: str) -> str:
        return url_for("services.show", witness_id=witness.id, _anchor=anchor)

    for info in db.session.execute(
        sa.select(InformationGiven).where(InformationGiven.witness_id == witness.id)
        .order_by(InformationGiven.given_at, InformationGiven.id)
    ).scalars():
        interpreter = f", interpreter {info.interpreter}" if info.interpreter else ""
        entries.append(Entry(
            at=info.given_at, kind="services", tz=tz, modifier="information", link=link("information"),
            title=f"Explained: {info.topic_words}",
            detail=f"{Method.words_of(info.method).capitalize()} in {info.language}{interpreter}",
        ))

    for consent, organisation in db.session.execute(
        sa.select(Consent, Organisation.name).outerjoin(Organisation, Organisation.id == Consent.organisation_id)
        .where(Consent.witness_id == witness.id).order_by(Consent.given_at, Consent.id)
    ).all():
        what = consent.purpose_words + (f": {organisation}" if organisation else "") + (
            f", {service_words(consent.service)}" if consent.service else "")
        entries.append(Entry(at=consent.given_at, kind="services", tz=tz, modifier="consent", link=link("consents"),
                             title=f"Consent given to {what}"))
        if consent.withdrawn_at is not None:
            entries.append(Entry(at=consent.withdrawn_at, kind="services", tz=tz, modifier="withdrawn",
                                 link=link("consents"), title=f"Consent withdrawn: {what}"))

    for referral, organisation in db.session.execute(
        sa.select(Referral, Organisation.name).join(Organisation, Organisation.id == Referral.organisation_id)
        .where(Referral.witness_id == witness.id).order_by(Referral.created_at, Referral.id)
    ).all():
        service = service_words(referral.service)
        if referral.sent_at is not None:
            entries.append(Entry(at=referral.sent_at, kind="services", tz=tz, modifier="referral",
                                 link=link("referrals"), title=f"Referred to {organisation}: {service}"))
        if referral.answered_at is not None:
            entries.append(Entry(
                at=referral.answered_at, kind="services", tz=tz, modifier=referral.status, link=link("referrals"),
                title=f"Referral answered by {organisation}: {_words(referral.status)}",
                detail=referral.decline_reason if referral.status == ReferralStatus.DECLINED else "",
            ))
        if referral.stopped_at is not None:
            entries.append(Entry(at=referral.stopped_at, kind="services", tz=tz, modifier="stopped",
                                 link=link("referrals"),
                                 title=f"Referral to {organisation} stopped: consent withdrawn"))

    for review, case_reference in db.session.execute(
        sa.select(SustainabilityReview, Case.reference).join(Journey, Journey.id == SustainabilityReview.journey_id)
        .join(Case, Case.id == Journey.case_id)
        .where(SustainabilityReview.witness_id == witness.id)
        .order_by(SustainabilityReview.reviewed_at, SustainabilityReview.id)
    ).all():
        entries.append(Entry(at=review.reviewed_at, kind="services", tz=tz, modifier="review", link=link("plan"),
                             title=f"Sustainable-protection review ({case_reference})",
                             detail=review.continues_after))
    return entries
