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

from ..access import visible_case_ids
from ..auth.models import User
from ..cases.models import Case, Journey, JourneyTransition
from ..court.models import AidStatusChange, CourtEvent, EventWitness, TestimonialAid
from ..extensions import db
from ..notifications.models import Notification, Status
from ..permissions import Permission, has_permission
from ..witnesses.models import RiskAssessment, Witness


@dataclass
class Entry:
    """One point on the timeline. `kind` names the CSS marker; `title` and `detail` are the words."""

    at: datetime
    kind: str  # stage, court_event, risk, aid, notice
    title: str
    detail: str = ""
    tz: str = "UTC"
    link: str | None = None
    modifier: str = ""  # e.g. risk level, event status: a CSS class that only repeats the words
    date_only: bool = False
    future: bool = False


# A notice's state in words, as the timeline says it.
NOTICE_STATES = {
    Status.PENDING: "queued",
    Status.SENDING: "being sent",
    Status.AWAITING_OFFICER: "for the officer to deliver",
    Status.SENT: "sent",
    Status.FAILED: "failed",
}


def _day(value: date) -> datetime:
    # Dates without a time (risk assessed on, aid decided on) sort at the start of that UTC day.
    return datetime.combine(value, time.min, tzinfo=UTC)


def _words(value: str | None) -> str:
    text = (value or "").replace("_", " ")
    return text.replace("pre trial", "pre-trial").replace("post trial", "post-trial")


def witness_timeline(user: User, witness: Witness, now: datetime) -> list[Entry]:  # noqa: C901 - one block per kind
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
        for event in db.session.execute(
            sa.select(CourtEvent)
            .join(EventWitness, EventWitness.event_id == CourtEvent.id)
            .join(Case, Case.id == CourtEvent.case_id)
            .options(contains_eager(CourtEvent.case))
            .where(EventWitness.witness_id == witness.id, CourtEvent.case_id.in_(cases))
            .order_by(CourtEvent.starts_at, CourtEvent.id)
        ).scalars():
            status = "" if event.status == "scheduled" else f" — {_words(event.status)}"
            entries.append(Entry(
                at=event.starts_at, kind="court_event", tz=event.case.court_timezone, modifier=event.status,
                title=f"{_words(event.kind).capitalize()}{status} ({event.case.reference})",
                detail=", ".join(p for p in (event.court_name, event.room) if p),
                link=url_for("court.show_event", event_id=event.id), future=event.starts_at > now,
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
                detail=(f"by {_words(notice.channel)}" if notice.channel else "")
                if sent else f"to be delivered by {notice.deadline_at:%d %b %Y %H:%M} UTC",
            ))

    entries.sort(key=lambda e: e.at)
    return entries
