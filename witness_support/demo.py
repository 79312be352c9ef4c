"""Deterministic, invented demo data: never a real person, always the same for the same seed."""

from __future__ import annotations

import contextlib
import random
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from .auth import operations as auth_ops
from .auth.models import User
from .auth.passwords import DEMO_PASSWORD
from .cases import operations as case_ops
from .custody.demo import seed_custody_demo
from .db import today_utc, utc_now
from .errors import OperationError
from .extensions import db
from .permissions import Role
from .witnesses import operations as witness_ops
from .witnesses.models import AssignmentRole, Witness

# Above this many witnesses the demo is loaded in bulk (bulk_demo.py), not through the operations.
BULK_THRESHOLD = 1000
DEMO_ACCOUNTS = [
    ("admin@demo.invalid", Role.ADMIN, "Ada Admin"),
    ("officer@demo.invalid", Role.LIAISON_OFFICER, "Lina Liaison"),
    ("prosecutor@demo.invalid", Role.PROSECUTOR, "Priya Prosecutor"),
    ("support@demo.invalid", Role.SUPPORT_PERSON, "Sam Support"),
    ("interpreter@demo.invalid", Role.SUPPORT_PERSON, "Ines Interpreter"),
    # A liaison officer who supervises Lina Liaison: her home page has the "Your team" panel.
    ("supervisor@demo.invalid", Role.LIAISON_OFFICER, "Sofia Supervisor"),
]
DEMO_SUPERVISOR = "supervisor@demo.invalid"
# Invented syllables; combinations are checked by nobody and belong to nobody.
_GIVEN = ["Ari", "Bunga", "Citra", "Dewi", "Eka", "Fajar", "Gita", "Hana", "Indra", "Joko", "Kiri", "Lestari",
          "Malai", "Niran", "Orn", "Pim", "Rath", "Sokha", "Thida", "Vanna"]
_FAMILY = ["Arunsa", "Budiwan", "Chanthar", "Darmaji", "Ekawat", "Fendira", "Gunaro", "Harsewi", "Intarak",
           "Jayamuk", "Kesvana", "Lomrith"]
_LANGUAGES = ["Indonesian", "Thai", "Khmer", "Burmese", "Vietnamese", "Tagalog", "English"]
_COURTS = [
    ("Central Jakarta District Court", "Asia/Jakarta", "PN-JKT-2026-0117"),
    ("Bangkok Criminal Court", "Asia/Bangkok", "BKK-CR-2026-0423"),
    ("Sydney District Court", "Australia/Sydney", "NSW-DC-2026-0908"),
]


class NotAnEmptyDatabase(OperationError):
    """seed-demo refuses a database that already holds an account or a witness."""


def refuse_unless_empty() -> None:
    """The demo accounts have a published password and may skip MFA: they never join real data.

    So a database that has any account or witness is refused, and nothing is changed (nor is it
    marked as a demo, which is what lets DEMO_MODE start on it).
    """
    accounts = db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar()
    witnesses = db.session.execute(sa.select(sa.func.count()).select_from(Witness)).scalar()
    if accounts or witnesses:
        raise NotAnEmptyDatabase(
            f"Refused: this database already holds {accounts} account(s) and {witnesses} witness(es). "
            "Demo data (with its published password) is loaded only into a new, empty database."
        )


def seed_demo(count: int = 24, seed: int = 2026) -> list[tuple[str, str, str]]:
    refuse_unless_empty()
    rng = random.Random(seed)  # noqa: S311 # nosec B311 # seeded invented data, not security
    today = today_utc()
    users: dict[str, User] = {}
    for email, role, name in DEMO_ACCOUNTS:
        users[email] = auth_ops.create_user(
            email, role=role, password=DEMO_PASSWORD, display_name=name, demo=True
        )
        users[email].is_demo = True  # may skip MFA, and only while DEMO_MODE is on
    officer, prosecutor = users["officer@demo.invalid"], users["prosecutor@demo.invalid"]
    support, interpreter = users["support@demo.invalid"], users["interpreter@demo.invalid"]
    db.session.flush()
    auth_ops.set_supervisor(users["admin@demo.invalid"], officer, users[DEMO_SUPERVISOR])
    if count > BULK_THRESHOLD:
        from .bulk_demo import seed_bulk

        db.session.flush()
        seed_bulk(count, seed, users)
        db.session.commit()
        return demo_logins()

    cases = []
    for court, tz, reference in _COURTS:
        case = case_ops.create_case(
            prosecutor, reference=reference, court_name=court, court_timezone=tz,
            offence_type="Trafficking in persons",
        )
        case_ops.assign_to_case(prosecutor, case, officer)
        for _ in range(rng.randint(1, 2)):
            case_ops.add_defendant(
                prosecutor, case, name=f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)} (invented)",
                custody_status=rng.choice(["remanded", "bailed", "at_large"]),
            )
        cases.append(case)

    # Of `count`, three are the witnesses `_seed_alive` makes ready (when there are enough to show a mix).
    alive = count >= 6
    for index in range(count - 3 if alive else count):
        child = rng.random() < 0.2
        birth_year = today.year - (rng.randint(14, 17) if child else rng.randint(19, 45))
        language = rng.choice(_LANGUAGES)
        reflection_start = today - timedelta(days=rng.randint(5, 120))
        witness = witness_ops.create_witness(
            officer,
            legal_name=f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}",
            date_of_birth=None if child and index % 2 else today.replace(year=birth_year, day=1),
            presumed_child=child,
            gender=rng.choice(["female", "male", "non-binary", ""]),
            nationality=rng.choice(["Indonesian", "Thai", "Cambodian", "Myanmar", "Vietnamese"]),
            preferred_language=language,
            interpreter_language=None if language == "English" else language,
            contact_details=f"+00 555 01{index:02d} (invented)",
            address=f"{index + 1} Invented Lane, Safe House {rng.randint(1, 9)}",
            participation=rng.choice(["undecided", "participating", "participating", "declined"]),
            reflection_start=reflection_start,
            reflection_end=reflection_start + timedelta(days=rng.choice([30, 60, 90])),
        )
        if index % 3 == 0:
            witness_ops.assign_support(officer, witness, support, AssignmentRole.SUPPORT_WORKER)
        if witness.interpreter_language and index % 2 == 0:
            witness_ops.assign_support(officer, witness, interpreter, AssignmentRole.INTERPRETER)
        if child and index % 3:
            witness_ops.assign_support(officer, witness, support, AssignmentRole.GUARDIAN)
        case = cases[index % len(cases)]
        journey = case_ops.start_journey(officer, case, witness)
        assessed = today - timedelta(days=rng.randint(0, 45))
        witness_ops.record_risk_assessment(
            officer, witness, stage="pre_trial", level=rng.choice(["low", "medium", "high", "critical"]),
            assessed_on=assessed, next_review_on=assessed + timedelta(days=rng.choice([14, 30, 60])),
            threats="Invented: contact attempts by associates of the accused.",
            measures="Invented: safe accommodation, phone changed.",
        )
        if index % 4 == 1:
            witness_ops.record_risk_assessment(
                officer, witness, stage="trial", level="high", assessed_on=today - timedelta(days=2),
                next_review_on=today + timedelta(days=28), threats="Invented.", measures="Invented.",
            )
            # A demo child without a guardian stays at pre-trial, as the rules say.
            with contextlib.suppress(OperationError):
                case_ops.transition_journey(
                    officer, journey, "trial", override_reason="Demo: trial date fixed by the court."
                )
    _seed_court(officer, cases)
    if alive:
        _seed_alive(rng, officer, support, cases)
    seed_custody_demo(officer, cases)

    from .ledger.demo import seed_ledger_demo

    seed_ledger_demo(rng, officer, prosecutor)
    db.session.commit()
    return demo_logins()


def demo_logins() -> list[tuple[str, str, str]]:
    """(email, password, what the account is) for each demo account, as seed-demo prints them."""
    return [(email, DEMO_PASSWORD, "supervisor" if email == DEMO_SUPERVISOR else role.value)
            for email, role, _ in DEMO_ACCOUNTS]


def _seed_court(officer: User, cases: list) -> None:  # noqa: ANN001 - Case list
    """Per case: a familiarisation visit held last week and two trial days ahead, with support booked
    where the demo assigned someone, so that the readiness dashboard shows a mix of states."""
    from zoneinfo import ZoneInfo

    from .court import operations as court_ops
    from .witnesses.models import WitnessAssignment

    today = today_utc()
    for index, case in enumerate(cases):
        zone = ZoneInfo(case.court_timezone)
        witnesses = [journey.witness for journey in case.journeys]

        def at(days: int, hour: int, zone: ZoneInfo = zone) -> datetime:
            day = today + timedelta(days=days)
            return datetime(day.year, day.month, day.day, hour, tzinfo=zone)

        override = "Demo: the court fixed the date; the witness was consulted."
        visit = court_ops.schedule_event(
            officer, case, kind="familiarisation_visit", starts_at=at(-7, 10), ends_at=at(-7, 12),
            room="Witness suite", witness_ids=[w.id for w in witnesses[::2]], reflection_override_reason=override,
        )
        court_ops.mark_event_held(officer, visit, "Demo: shown the courtroom and the video-link room.")
        for day in (0, 1):
            trial = court_ops.schedule_event(
                officer, case, kind="trial_day", starts_at=at(9 + 14 * index + day, 9),
                ends_at=at(9 + 14 * index + day, 16), room=f"{index + 1}", remote_link=index == 2,
                witness_ids=[w.id for w in witnesses], reflection_override_reason=override,
            )
            for witness in witnesses:
                for assignment in db.session.execute(
                    sa.select(WitnessAssignment).where(
                        WitnessAssignment.witness_id == witness.id, WitnessAssignment.active_clause(),
                        WitnessAssignment.role != AssignmentRole.LIAISON_OFFICER,
                    )
                ).scalars():
                    with contextlib.suppress(OperationError):
                        court_ops.assign_attendance(officer, trial, witness, assignment.user)


def _seed_alive(rng: random.Random, officer: User, support: User, cases: list) -> None:  # noqa: ANN001
    """What makes the first screen alive: court today and this week, open tasks, and one trial day
    each *Ready* and *Partly ready* beside the random ones (which are mostly *Not ready*).

    Three invented witnesses are made ready on purpose in the first case: adult, participating,
    reflection period over, assessed for trial, shown the court, with a support worker booked."""
    from zoneinfo import ZoneInfo

    from .court import operations as court_ops
    from .services import operations as services_ops
    from .services.models import READINESS_TOPICS
    from .tasks.operations import create_task

    today = today_utc()
    case = cases[0]
    zone = ZoneInfo(case.court_timezone)

    def at(days: int, hour: int) -> datetime:
        day = today + timedelta(days=days)
        return datetime(day.year, day.month, day.day, hour, tzinfo=zone)

    ready = []
    for index in range(3):
        witness = witness_ops.create_witness(
            officer, legal_name=f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}",
            date_of_birth=today.replace(year=today.year - 30 - index, day=1), presumed_child=False,
            gender=rng.choice(["female", "male"]), nationality="Indonesian", preferred_language="English",
            interpreter_language=None, contact_details=f"+00 555 02{index:02d} (invented)",
            address=f"{index + 40} Invented Lane, Safe House 3", participation="participating",
            reflection_start=today - timedelta(days=120), reflection_end=today - timedelta(days=60),
        )
        witness_ops.assign_support(officer, witness, support, AssignmentRole.SUPPORT_WORKER)
        case_ops.start_journey(officer, case, witness)
        for stage in ("pre_trial", "trial"):
            witness_ops.record_risk_assessment(
                officer, witness, stage=stage, level="medium", assessed_on=today - timedelta(days=3),
                next_review_on=today + timedelta(days=27), threats="Invented.", measures="Invented.",
            )
        for topic in READINESS_TOPICS:  # explained in their language before the trial
            services_ops.record_information(officer, witness, topic=topic, method="both", language="English",
                                            given_at=utc_now() - timedelta(days=4))
        ready.append(witness)
    not_ready = next(journey.witness for journey in case.journeys if journey.witness not in ready)
    visit = court_ops.schedule_event(
        officer, case, kind="familiarisation_visit", starts_at=at(-5, 10), ends_at=at(-5, 11),
        room="Witness suite", witness_ids=[w.id for w in ready],
    )
    court_ops.mark_event_held(officer, visit, "Demo: shown the courtroom and the video-link room.")
    # Court today (a mention, late enough to be ahead on most of the day) and this week.
    court_ops.schedule_event(officer, case, kind="mention", starts_at=at(0, 16), ends_at=at(0, 17),
                             room="3", witness_ids=[ready[0].id])
    override = "Demo: the court fixed the date; the witness was consulted."
    for days, witnesses in ((3, ready), (5, [*ready[:2], not_ready])):
        trial = court_ops.schedule_event(
            officer, case, kind="trial_day", starts_at=at(days, 9), ends_at=at(days, 16), room="2",
            witness_ids=[w.id for w in witnesses], reflection_override_reason=override,
        )
        for witness in witnesses[:2] if days == 5 else witnesses:
            court_ops.assign_attendance(officer, trial, witness, support)
    # Open tasks on the officer's home page (witnesses by reference only, as tasks always are).
    create_task(officer, "aid_decision", f"Tell {ready[0].reference} the court's decision on the video link",
                due_at=at(1, 12), witness_id=ready[0].id, urgent=True)
    create_task(officer, "revise_protection_plan", f"Revise the protection plan of {ready[1].reference}",
                due_at=at(4, 12), witness_id=ready[1].id)
    _seed_officer_day(officer, ready[0], visit)


def _seed_officer_day(officer: User, witness: Witness, visit: Any) -> None:  # noqa: ANN401 - a CourtEvent
    """The officer's everyday tools, on the witness in court today: a call logged with a follow-up
    day (which becomes a task on the officer's home page), a day the witness cannot attend (between
    two of their trial days, so neither is on it), the attendance at last week's familiarisation
    visit, and one document (a small PDF, made here) on the witness."""
    from .availability import operations as availability_ops
    from .contacts import operations as contact_ops
    from .documents import operations as document_ops
    from .documents.queries import witness_targets

    today = today_utc()
    contact_ops.log_contact(
        officer, witness, occurred_at=utc_now() - timedelta(days=1, hours=2), channel="call", counterpart="witness",
        summary="Invented: went through the trial days with her; she asked whether the defendant will see her "
                "when she gives evidence. Told her the screen has been applied for.",
        follow_up_on=today + timedelta(days=1),
    )
    availability_ops.add_date_to_avoid(officer, witness, first_day=today + timedelta(days=4), reason="medical",
                                       note="Invented: hospital appointment in the morning.")
    requirement = next(r for r in visit.required if r.witness_id == witness.id)
    contact_ops.record_attendance_outcome(officer, requirement, outcome="attended")
    target = next(t for t in witness_targets(witness) if t.object_id is None)
    document_ops.upload_document(officer, target, data=demo_pdf("Invented: travel letter for the trial days"),
                                 name="Invented travel letter.pdf")


def demo_pdf(text: str) -> bytes:
    """A one-page PDF that readers open, carrying `text` (invented) in its content stream."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
