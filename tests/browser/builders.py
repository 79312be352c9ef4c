"""Test data for the browser flows, built through the app's own operations in the live app's database.

A flow test builds here what is not the point of the test (accounts, a case, a witness ready but for
one thing) and then does the point of the test in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.helpers import PASSWORD
from witness_support.auth import operations as auth_ops
from witness_support.auth.models import User
from witness_support.cases import operations as case_ops
from witness_support.cases.models import Case
from witness_support.court import operations as court_ops
from witness_support.db import today_utc
from witness_support.extensions import db
from witness_support.services import operations as services_ops
from witness_support.services.models import READINESS_TOPICS
from witness_support.witnesses import operations as witness_ops
from witness_support.witnesses.models import Witness

TZ = "Asia/Jakarta"


def user(email: str, role: str, name: str) -> User:
    account = auth_ops.create_user(email, role=role, password=PASSWORD, display_name=name)
    db.session.commit()
    return account


def at_court(days: int, hour: int = 9, tz: str = TZ) -> datetime:
    """An aware instant `days` from today at `hour` on the court's clock."""
    day = today_utc() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=ZoneInfo(tz))


@dataclass
class World:
    officer: User
    prosecutor: User
    supporter: User
    case: Case
    witness: Witness


def world(reference: str = "PN-JKT-0042", *, participating: bool = True) -> World:
    """An officer and a prosecutor on one case, a support person, and one adult witness in the case
    with a current trial-stage risk assessment."""
    officer = user("officer@example.test", "liaison_officer", "Olive Officer")
    prosecutor = user("prosecutor@example.test", "prosecutor", "Priya Prosecutor")
    supporter = user("support@example.test", "support_person", "Sam Support")
    case = case_ops.create_case(officer, reference=reference, court_name="Invented District Court",
                                court_timezone=TZ, offence_type="Trafficking in persons")
    case_ops.assign_to_case(officer, case, prosecutor)
    witness = witness_ops.create_witness(
        officer, legal_name="Invented Browser Witness", preferred_language="Indonesian",
        date_of_birth=date(1991, 5, 17), participation="participating" if participating else "undecided",
    )
    case_ops.start_journey(officer, case, witness)
    assess(officer, witness)
    db.session.commit()
    return World(officer, prosecutor, supporter, case, witness)


def assess(actor: User, witness: Witness, stage: str = "trial", level: str = "medium") -> Any:
    assessment = witness_ops.record_risk_assessment(
        actor, witness, stage=stage, level=level, assessed_on=today_utc(),
        next_review_on=today_utc() + timedelta(days=30),
    )
    db.session.commit()
    return assessment


def event(actor: User, case: Case, witnesses: list[Witness], *, kind: str = "trial_day", days: int = 30,
          hour: int = 9, hours: int = 6) -> Any:
    starts = at_court(days, hour, case.court_timezone)
    scheduled = court_ops.schedule_event(actor, case, kind=kind, starts_at=starts,
                                         ends_at=starts + timedelta(hours=hours),
                                         witness_ids=[w.id for w in witnesses])
    db.session.commit()
    return scheduled


def held_visit(actor: User, case: Case, witness: Witness) -> Any:
    """A familiarisation visit to the court, three days ago, held."""
    visit = event(actor, case, [witness], kind="familiarisation_visit", days=-3, hours=2)
    court_ops.mark_event_held(actor, visit)
    db.session.commit()
    return visit


def explained(actor: User, witness: Witness) -> None:
    """The court process and the testimonial aids explained to the witness in their language."""
    for topic in READINESS_TOPICS:
        services_ops.record_information(actor, witness, topic=topic, method="both", language=witness.preferred_language)
    db.session.commit()


def fresh(obj: Any) -> Any:
    """The object as the live app last wrote it (the browser changed it in another session)."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)
