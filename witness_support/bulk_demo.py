"""A national-scale invented caseload, loaded in bulk (`seed-demo --witnesses N` for large N).

Rows go in through SQLAlchemy Core `executemany` in batches (never one ORM object at a time), so
100,000 witnesses with about 1,000,000 court events load in minutes. The column types still apply:
identity fields are encrypted with the real keys (crypto.py), instants are stored as UTC. The
benefits ledger is a valid hash chain (chain.chain_hash, as an append computes it), so
`flask ledger verify` passes. Everything is derived from one seed: the same N and seed give the
same data (only the random witness references of the small demo are not used here).

Per 100,000 witnesses: 25,000 cases (one defendant each, the liaison officer and the prosecutor of
the demo assigned to all: a national view), ~1,000,000 court events each requiring one witness,
300,000 testimonial aids, 500,000 benefit entries, 200,000 notices, 5,000 outcomes whose
release dates make the sweep find reminders due, and every defendant's custody history (about
64,000 entries and 20,000 bail conditions: remands, bail with conditions, warrants, sentences;
parole hearings, temporary releases, releases on licence, sentence ends reached and corrections
among the convicted).

What an officer's home page reads is there too: ten liaison officers with a caseload of their own
(15 cases, 60 witnesses each, `officer-01@demo.invalid` …), beside the national demo officer who
is also the team inbox; half the witnesses of a convicted case have a closed journey (still
enrolled for offender notices); 3,000 compensation claims with key dates and 10,000 residence
permits, some expiring soon; and the remedies reminders those raise, as tasks made by the real
reminder pass (remedies/reminders.py).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app

from .aids.models import AidKind, AidStatus
from .auth import operations as auth_ops
from .auth.passwords import DEMO_PASSWORD
from .cases.models import CaseRole, CustodyStatus, Stage
from .court.models import EventKind, EventStatus
from .crypto import blind_index, keyring
from .custody.models import STATUS_AFTER, ConditionKind
from .custody.models import EventKind as CustodyKind
from .db import today_utc, utc_now
from .extensions import db
from .ledger.models import BenefitKind
from .notifications.models import Channel, Kind, Status
from .outcomes.models import SentenceKind, Verdict
from .remedies.models import CaseDependence, ClaimStatus, HeadOfLoss, PermitKind, Respondent, Route
from .remedies.reminders import raise_reminders
from .witnesses.models import AgeAssessment, AssignmentRole, Participation, RiskLevel

BATCH = 10_000
_GIVEN = ["Ari", "Bunga", "Citra", "Dewi", "Eka", "Fajar", "Gita", "Hana", "Indra", "Joko", "Kiri", "Lestari",
          "Malai", "Niran", "Orn", "Pim", "Rath", "Sokha", "Thida", "Vanna"]
_FAMILY = ["Arunsa", "Budiwan", "Chanthar", "Darmaji", "Ekawat", "Fendira", "Gunaro", "Harsewi", "Intarak",
           "Jayamuk", "Kesvana", "Lomrith"]
_LANGUAGES = ["Indonesian", "Thai", "Khmer", "Burmese", "Vietnamese", "Tagalog", "English"]
_COURTS = [("Central Jakarta District Court", "Asia/Jakarta"), ("Bangkok Criminal Court", "Asia/Bangkok"),
           ("Sydney District Court", "Australia/Sydney"), ("Surabaya District Court", "Asia/Jakarta")]
# Every enumerated value below is a member of the model's own enum (the values are what is stored).
# (kind, weight): hearings of every kind, trial days the most common.
_EVENT_KINDS = [(EventKind.TRIAL_DAY, 40), (EventKind.MENTION, 20), (EventKind.PRE_TRIAL_HEARING, 15),
                (EventKind.FAMILIARISATION_VISIT, 10), (EventKind.VERDICT, 5), (EventKind.SENTENCING, 5),
                (EventKind.APPEAL_HEARING, 3), (EventKind.PAROLE_HEARING, 2)]
_AID_KINDS = [AidKind.VIDEO_LINK, AidKind.SCREEN, AidKind.CLOSED_COURT, AidKind.SUPPORT_PERSON_PRESENT,
              AidKind.PRIOR_EVIDENCE_REUSE, AidKind.PUBLICATION_RESTRICTION, AidKind.INTERMEDIARY,
              AidKind.COMMUNICATION_AID]
_AID_STATUSES = [AidStatus.NEEDED, AidStatus.APPLIED, AidStatus.GRANTED, AidStatus.GRANTED, AidStatus.REFUSED,
                 AidStatus.WITHDRAWN]
_BENEFIT_KINDS = [BenefitKind.ACCOMMODATION, BenefitKind.TRAVEL, BenefitKind.SUBSISTENCE, BenefitKind.MEDICAL,
                  BenefitKind.PSYCHOLOGICAL, BenefitKind.LEGAL_AID, BenefitKind.PHONE_OR_COMMUNICATION]
_NOTICE_KINDS = [Kind.HEARING_SET, Kind.HEARING_MOVED, Kind.RELEASE_UPCOMING, Kind.VERDICT]
_CUSTODY = [CustodyStatus.REMANDED, CustodyStatus.BAILED, CustodyStatus.AT_LARGE]
_CUSTODY_SOURCES = ["Invented: the court clerk, by phone", "Invented: the prison, by letter",
                    "Invented: the police liaison", "Invented: the probation service"]
_PARTICIPATION = [Participation.UNDECIDED, Participation.PARTICIPATING, Participation.PARTICIPATING,
                  Participation.DECLINED]
_RISK_LEVELS = list(RiskLevel)
EVENTS_PER_WITNESS = 10
AIDS_PER_WITNESS = 3
BENEFITS_PER_WITNESS = 5
NOTICES_PER_WITNESS = 2
WITNESSES_PER_CASE = 4
PAST_DAYS, FUTURE_DAYS = 730, 365
# Liaison officers with a caseload of their own: each on CASELOAD_CASES consecutive cases, the
# liaison officer of every witness in them (the demo officer stays on every case: the national view).
CASELOAD_OFFICERS, CASELOAD_CASES = 10, 15
CLAIM_EVERY, PERMIT_EVERY = 33, 10  # about 3 % of witnesses claim compensation, 10 % hold a permit
_CLAIM_STATUSES = [ClaimStatus.PREPARING, ClaimStatus.PREPARING, ClaimStatus.FILED, ClaimStatus.FILED,
                   ClaimStatus.HEARD, ClaimStatus.AWARDED, ClaimStatus.AWARDED, ClaimStatus.PAID,
                   ClaimStatus.REFUSED, ClaimStatus.WITHDRAWN]
_ROUTES = [(Route.CRIMINAL_ORDER, Respondent.DEFENDANT), (Route.CIVIL_CLAIM, Respondent.DEFENDANT),
           (Route.LABOUR_CLAIM, Respondent.EMPLOYER), (Route.STATE_FUND, Respondent.STATE)]
_PERMITS = [(PermitKind.REFLECTION_PERIOD, CaseDependence.COOPERATION),
            (PermitKind.TEMPORARY_VICTIM, CaseDependence.PROCEEDINGS),
            (PermitKind.TEMPORARY_WITNESS, CaseDependence.PROCEEDINGS),
            (PermitKind.HUMANITARIAN, CaseDependence.INDEPENDENT), (PermitKind.LONG_TERM, CaseDependence.INDEPENDENT)]


def _batched(rows: Iterator[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _load(table_name: str, rows: Iterator[dict[str, Any]], total: int, label: str) -> None:
    """executemany in batches, with a progress bar (on stderr when not a terminal, it stays quiet)."""
    table = db.metadata.tables[table_name]
    with click.progressbar(length=total, label=f"{label:<22}", show_pos=True) as bar:
        for batch in _batched(rows):
            db.session.execute(table.insert(), batch)
            bar.update(len(batch))
    # A commit per table keeps SQLite's write-ahead log small (one huge transaction made it
    # checkpoint hundreds of megabytes at once); a half-loaded demo is simply seeded again.
    db.session.commit()


def seed_bulk(count: int, seed: int, users: dict[str, Any]) -> None:  # noqa: C901 - one loader per table
    """Load `count` witnesses and their history; `users` are the demo accounts (already flushed)."""
    rng = random.Random(seed)  # noqa: S311 # nosec B311 # seeded invented data, not security
    db.session.commit()  # the demo accounts; SQLite changes safety levels only between transactions
    if db.session.get_bind().dialect.name == "sqlite":
        # Invented data that can be loaded again: trade durability for speed on this connection only,
        # and keep the indexes being built in memory (256 MB of page cache).
        db.session.execute(sa.text("PRAGMA synchronous=OFF"))
        db.session.execute(sa.text("PRAGMA cache_size=-262144"))
    today = today_utc()
    now = utc_now().replace(microsecond=0)
    officer, prosecutor = users["officer@demo.invalid"], users["prosecutor@demo.invalid"]
    support, interpreter = users["support@demo.invalid"], users["interpreter@demo.invalid"]
    cases = max(1, count // WITNESSES_PER_CASE)
    case_courts = [rng.randrange(len(_COURTS)) for _ in range(cases)]

    def case_rows() -> Iterator[dict[str, Any]]:
        for c in range(cases):
            court, tz = _COURTS[case_courts[c]]
            yield {"id": c + 1, "reference": f"BULK-{seed}-{c + 1:07d}", "court_name": court, "court_timezone": tz,
                   "offence_type": "Trafficking in persons", "created_at": now, "created_by_id": prosecutor.id}

    _load("cases", case_rows(), cases, "cases")
    _load("defendants", ({"id": c + 1, "case_id": c + 1,
                          "name": f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)} (invented)",
                          "custody_status": rng.choice(_CUSTODY)} for c in range(cases)),
          cases, "defendants")

    # The officers with a caseload of their own: officer k works on the cases in block k.
    caseload = [auth_ops.create_user(f"officer-{k + 1:02d}@demo.invalid", role="liaison_officer",
                                     password=DEMO_PASSWORD, display_name=f"Officer {k + 1:02d} (caseload)",
                                     demo=True)
                for k in range(min(CASELOAD_OFFICERS, cases // CASELOAD_CASES))]
    for user in caseload:
        user.is_demo = True
    db.session.commit()
    case_officer = {k * CASELOAD_CASES + j + 1: user.id for k, user in enumerate(caseload)
                    for j in range(CASELOAD_CASES)}

    def case_assignment_rows() -> Iterator[dict[str, Any]]:
        for c in range(cases):
            for user_id, role in ((officer.id, CaseRole.LIAISON_OFFICER), (prosecutor.id, CaseRole.PROSECUTOR)):
                yield {"case_id": c + 1, "user_id": user_id, "role": role, "created_at": now, "ended_at": None}
            if c + 1 in case_officer:
                yield {"case_id": c + 1, "user_id": case_officer[c + 1], "role": CaseRole.LIAISON_OFFICER,
                       "created_at": now, "ended_at": None}

    _load("case_assignments", case_assignment_rows(), 2 * cases + len(case_officer), "case assignments")

    # Witnesses: the next court date is computed below with the events and stored with the row.
    events_by_witness: dict[int, list[tuple[int, datetime, str, str]]] = {}
    event_id = 0
    kinds = [k for k, _ in _EVENT_KINDS]
    weights = [w for _, w in _EVENT_KINDS]
    horizon = (PAST_DAYS + FUTURE_DAYS) * 24
    for w in range(1, count + 1):
        rows = []
        for _ in range(EVENTS_PER_WITNESS):
            event_id += 1
            hours = rng.randrange(horizon)
            starts = datetime.combine(today - timedelta(days=PAST_DAYS), time(1), tzinfo=UTC) + timedelta(hours=hours)
            kind = rng.choices(kinds, weights)[0]
            if starts < now:
                status = EventStatus.CANCELLED if rng.random() < 0.1 else EventStatus.HELD
            else:
                status = (EventStatus.MOVED if rng.random() < 0.1
                          else EventStatus.CANCELLED if rng.random() < 0.05 else EventStatus.SCHEDULED)
            rows.append((event_id, starts, kind, status))
        events_by_witness[w] = rows

    def next_court(w: int) -> datetime | None:
        upcoming = [s for _, s, _, st in events_by_witness[w]
                    if s >= now and st in (EventStatus.SCHEDULED, EventStatus.MOVED)]
        return min(upcoming) if upcoming else None

    witness_case = {w: (w - 1) // WITNESSES_PER_CASE % cases + 1 for w in range(1, count + 1)}
    children: set[int] = set()

    names: dict[int, str] = {}

    def witness_rows() -> Iterator[dict[str, Any]]:
        for w in range(1, count + 1):
            child = rng.random() < 0.15
            if child:
                children.add(w)
            name = names[w] = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)} {rng.choice(_GIVEN)}"
            language = rng.choice(_LANGUAGES)
            reflection_start = today - timedelta(days=rng.randint(5, 900))
            level = rng.choice(_RISK_LEVELS)
            yield {
                "id": w, "reference": f"W-{seed % 10000:04d}-{w:07d}", "legal_name": name,
                "legal_name_index": blind_index(name),
                "date_of_birth": None if child else date(today.year - rng.randint(19, 50), rng.randint(1, 12), 1),
                "contact_details": f"+00 555 {w:07d} (invented)", "address": f"{w} Invented Lane",
                "presumed_child": child, "age_assessment": AgeAssessment.NONE,
                "gender": rng.choice(["female", "male", "non-binary", ""]),
                "nationality": rng.choice(["Indonesian", "Thai", "Cambodian", "Myanmar", "Vietnamese"]),
                "preferred_language": language, "interpreter_language": None if language == "English" else language,
                "participation": rng.choice(_PARTICIPATION),
                "reflection_start": reflection_start, "reflection_end": reflection_start + timedelta(days=30),
                "current_risk_level": level, "next_review_on": today + timedelta(days=rng.randint(-30, 60)),
                "next_court_at": next_court(w), "created_at": now, "created_by_id": officer.id, "updated_at": now,
            }

    _load("witnesses", witness_rows(), count, "witnesses (encrypted)")
    # The name search index, from the names just written (an ORM insert would keep it itself).
    ring, bits = keyring(), int(current_app.config["NAME_TOKEN_BITS"])
    _load("witness_name_tokens", ({"witness_id": w, "token": t} for w, name in names.items()
                                  for t in ring.name_tokens(name, bits)), count * 3, "name search index")
    names.clear()
    convicted = set(range(1, cases + 1, 5))  # the cases _seed_outcomes gives a conviction

    def closed(w: int) -> bool:
        """Half the witnesses of a convicted case: their journey closed, still enrolled for offender
        notices (no enrolment row: enrolled by default, until the sentence ends)."""
        return witness_case[w] in convicted and w % 2 == 0

    _load("journeys", ({"witness_id": w, "case_id": witness_case[w],
                        "stage": Stage.CLOSED if closed(w) else Stage.TRIAL if next_court(w) else Stage.PRE_TRIAL,
                        "started_at": now - timedelta(days=PAST_DAYS)}
                       for w in range(1, count + 1)), count, "journeys")
    journeys = db.session.execute(sa.text("SELECT id FROM journeys WHERE stage = :s ORDER BY id"),
                                  {"s": Stage.CLOSED}).scalars().all()
    _load("journey_transitions", ({"journey_id": j, "from_stage": Stage.POST_TRIAL, "to_stage": Stage.CLOSED,
                                   "at": now - timedelta(days=rng.randint(1, 400)), "actor_id": officer.id,
                                   "reason": "Sentenced; the witness stays enrolled for offender notices (invented).",
                                   "override_reason": None} for j in journeys), len(journeys), "closed journeys")

    def assignment_rows() -> Iterator[dict[str, Any]]:
        for w in range(1, count + 1):
            if witness_case[w] in case_officer:
                yield {"witness_id": w, "user_id": case_officer[witness_case[w]],
                       "role": AssignmentRole.LIAISON_OFFICER, "starts_on": today - timedelta(days=PAST_DAYS),
                       "ends_on": None, "ended_at": None, "created_at": now, "created_by_id": officer.id}
            if w % 20 == 0:
                yield {"witness_id": w, "user_id": support.id, "role": AssignmentRole.SUPPORT_WORKER,
                       "starts_on": today, "ends_on": None, "ended_at": None, "created_at": now,
                       "created_by_id": officer.id}
            if w % 40 == 0:
                yield {"witness_id": w, "user_id": interpreter.id, "role": AssignmentRole.INTERPRETER,
                       "starts_on": today, "ends_on": None, "ended_at": None, "created_at": now,
                       "created_by_id": officer.id}
            if w in children and w % 3:
                yield {"witness_id": w, "user_id": support.id, "role": AssignmentRole.GUARDIAN, "starts_on": today,
                       "ends_on": None, "ended_at": None, "created_at": now, "created_by_id": officer.id}

    _load("witness_assignments", assignment_rows(),
          count // 20 + count // 40 + len(children) * 2 // 3 + len(case_officer) * WITNESSES_PER_CASE,
          "support assignments")
    _load("risk_assessments", ({"witness_id": w, "stage": Stage.TRIAL if w % 2 else Stage.PRE_TRIAL,
                                "assessed_on": today - timedelta(days=rng.randint(0, 90)), "assessor_id": officer.id,
                                "level": rng.choice(_RISK_LEVELS), "threats": "Invented.",
                                "measures": "Invented.", "next_review_on": today + timedelta(days=30),
                                "created_at": now} for w in range(1, count + 1)), count, "risk assessments")

    def event_rows() -> Iterator[dict[str, Any]]:
        for w in range(1, count + 1):
            c = witness_case[w]
            court, _ = _COURTS[case_courts[c - 1]]
            for eid, starts, kind, status in events_by_witness[w]:
                yield {"id": eid, "case_id": c, "kind": kind, "starts_at": starts,
                       "ends_at": starts + timedelta(hours=3),
                       "court_name": court, "room": str(eid % 12 + 1), "remote_link": eid % 7 == 0, "status": status,
                       "interpreter_language": None, "revision": 2 if status == EventStatus.MOVED else 1,
                       "created_at": now, "created_by_id": officer.id, "updated_at": now}

    total_events = count * EVENTS_PER_WITNESS
    _load("court_events", event_rows(), total_events, "court events")
    _load("court_event_witnesses", ({"event_id": eid, "witness_id": w, "reflection_override_reason": None}
                                    for w in range(1, count + 1) for eid, *_ in events_by_witness[w]),
          total_events, "required witnesses")

    def attendance_rows() -> Iterator[dict[str, Any]]:
        for w in range(20, count + 1, 20):  # the support worker attends every trial day of their witnesses
            for eid, _, kind, _ in events_by_witness[w]:
                if kind == EventKind.TRIAL_DAY:
                    yield {"event_id": eid, "witness_id": w, "user_id": support.id,
                           "role": AssignmentRole.SUPPORT_WORKER,
                           "override_reason": None, "created_at": now, "created_by_id": officer.id}

    _load("court_event_attendance", attendance_rows(), count // 20 * EVENTS_PER_WITNESS * 4 // 10, "attendance")
    _load("testimonial_aids", ({"witness_id": w, "case_id": witness_case[w],
                                "kind": _AID_KINDS[(w + k) % len(_AID_KINDS)],
                                "status": rng.choice(_AID_STATUSES), "applied_on": None, "decided_on": None,
                                "order_reference": None, "note": "", "proposed_automatically": w in children,
                                "created_at": now, "created_by_id": officer.id, "updated_at": now}
                               for w in range(1, count + 1) for k in range(AIDS_PER_WITNESS)),
          count * AIDS_PER_WITNESS, "testimonial aids")
    _seed_ledger(rng, count, officer.id, prosecutor.id, now)
    _load("notifications", _notice_rows(rng, count, witness_case, now), count * NOTICES_PER_WITNESS, "notices")
    releases = _seed_outcomes(rng, cases, today, now, prosecutor.id)
    _seed_custody(random.Random(f"{seed}-custody"), cases, count, releases, today, now, officer.id)  # noqa: S311 # nosec B311
    _seed_remedies(rng, count, witness_case, today, now, officer.id)
    # The reminders the claims and permits are due for, raised by the real pass (tasks for each
    # witness's liaison officer, else the case's): what every officer's home page lists.
    raise_reminders(today, now)
    db.session.commit()
    # Fresh statistics for the planner after a bulk load (without them SQLite may pick an index on
    # `kind` over one on `case_id` and read every trial day for one case's first trial).
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


def _seed_ledger(rng: random.Random, count: int, officer_id: int, prosecutor_id: int, now: datetime) -> None:
    from .ledger import chain
    from .ledger.models import GENESIS_HASH

    total = count * BENEFITS_PER_WITNESS
    state = {"prev": GENESIS_HASH}
    start = now - timedelta(days=PAST_DAYS)
    step = timedelta(days=PAST_DAYS) / max(total, 1)

    def rows() -> Iterator[dict[str, Any]]:
        for n in range(1, total + 1):
            kind = rng.choice(_BENEFIT_KINDS)
            entered = (start + step * n).replace(microsecond=n % 1_000_000)
            row = {
                "id": n, "witness_id": rng.randint(1, count), "kind": kind,
                "description": f"Invented {kind.replace('_', ' ')}",
                "amount": Decimal(rng.randint(100, 500_000)) / 100, "currency": "IDR",
                "provided_on": entered.date(), "provided_until": None, "provider": "Invented Shelter Foundation",
                "rationale": "Meets the witness's basic needs (invented).",
                "authorised_by_id": prosecutor_id, "entered_by_id": officer_id, "entered_at": entered,
                "corrects_id": None, "correction_type": None, "correction_reason": None,
            }
            row["prev_hash"] = state["prev"]
            row["hash"] = state["prev"] = chain.chain_hash(state["prev"], row)
            yield row

    _load("benefit_entries", rows(), total, "benefit entries")
    db.session.execute(db.metadata.tables["ledger_head"].insert(), {"id": 1, "sequence": total, "hash": state["prev"]})


def _notice_rows(rng: random.Random, count: int, witness_case: dict[int, int], now: datetime) -> Iterator[dict]:
    n = 0
    for w in range(1, count + 1):
        for k in range(NOTICES_PER_WITNESS):
            n += 1
            triggered = now - timedelta(minutes=rng.randint(60, PAST_DAYS * 24 * 60))
            sent = n % 100 != 0  # one in a hundred still pending, mostly long overdue
            yield {"witness_id": w, "case_id": witness_case[w], "kind": _NOTICE_KINDS[(w + k) % len(_NOTICE_KINDS)],
                   "dedup_key": f"bulk:{w}:{k}", "context": {}, "triggered_at": triggered,
                   "deadline_at": triggered + timedelta(days=1), "status": Status.SENT if sent else Status.PENDING,
                   "next_attempt_at": triggered, "attempts": 1 if sent else 0, "claimed_by": None, "claimed_at": None,
                   "channel": Channel.IN_PERSON if sent else None, "recipient": "witness" if sent else None,
                   "language": "en", "language_fallback": False, "subject": None, "body": None,
                   "sent_at": triggered if sent else None, "delivered_by_id": None, "last_error": None}


def _seed_outcomes(rng: random.Random, cases: int, today: date, now: datetime, prosecutor_id: int) -> dict[int, date]:
    """One case in five has a conviction; release dates spread over the next two years. Returns
    each convicted defendant's proposed release date."""
    releases = {c: today + timedelta(days=rng.randint(1, 730)) for c in range(1, cases + 1, 5)}
    _load("outcomes", ({"case_id": c, "defendant_id": c, "verdict": Verdict.CONVICTED, "charges": "Invented.",
                        "sentence_kind": SentenceKind.IMPRISONMENT, "sentence_details": "",
                        "proposed_release_date": release, "appeal_lodged_by": None, "appeal_outcome": None,
                        "custody": None, "recorded_by_id": prosecutor_id, "created_at": now, "updated_at": now}
                       for c, release in releases.items()), len(releases), "outcomes")
    return releases


# Before trial, what the defendant's history says, by the custody status drawn for the case.
_PRE_TRIAL = {
    CustodyStatus.REMANDED: (CustodyKind.ARRESTED, CustodyKind.REMANDED),
    CustodyStatus.BAILED: (CustodyKind.ARRESTED, CustodyKind.BAILED),
    CustodyStatus.AT_LARGE: (CustodyKind.ARRESTED, CustodyKind.BAILED, CustodyKind.WARRANT_ISSUED),
}


def _seed_custody(rng: random.Random, cases: int, count: int, releases: dict[int, date], today: date,
                  now: datetime, officer_id: int) -> None:
    """Every defendant's custody history, as the custody operations would have recorded it (append-only
    entries in time order, release dates on or after the day they were recorded, a correction naming
    the entry it corrects) and the defendant's custody status set from the latest entry.

    Before trial: remanded, bailed (with a reporting condition, and for half a no-contact condition
    naming the case's first witness) or bailed then at large. Convicted (the outcomes'
    defendants): remanded then sentenced to the outcome's release date, and for one in ten each: a
    parole hearing in the next two months, a temporary release starting within the last few days
    or the next six weeks, a release on licence, a sentence end reached in the last week (the
    prison's date, not the outcome's), a sentence corrected to a later release date."""
    events: list[dict[str, Any]] = []
    conditions: list[dict[str, Any]] = []
    status: dict[int, str] = {}
    drawn = dict(db.session.execute(sa.text("SELECT id, custody_status FROM defendants")).all())

    def entry(defendant: int, kind: CustodyKind, occurred: datetime, *, release: date | None = None,
              hearing: date | None = None, corrects: int | None = None, note: str = "") -> int:
        learned = min(now, occurred + timedelta(hours=rng.randint(1, 72)))
        events.append({"id": len(events) + 1, "defendant_id": defendant, "case_id": defendant, "kind": kind,
                       "occurred_at": occurred, "learned_at": learned,
                       "source": rng.choice(_CUSTODY_SOURCES), "note": note, "release_date": release,
                       "hearing_on": hearing, "corrects_id": corrects, "entered_by_id": officer_id,
                       "entered_at": learned})
        if kind in STATUS_AFTER:
            status[defendant] = STATUS_AFTER[kind]
        return len(events)

    for d in range(1, cases + 1):
        arrested = now - timedelta(days=rng.randint(200, 900), hours=rng.randint(0, 23))
        if d not in releases:
            occurred = arrested
            for kind in _PRE_TRIAL[CustodyStatus(drawn[d])]:
                event_id = entry(d, kind, occurred)
                occurred += timedelta(days=rng.randint(1, 60))
                if kind == CustodyKind.BAILED:
                    conditions.append({"event_id": event_id, "kind": ConditionKind.REPORTING, "witness_id": None,
                                       "text": "Invented: to the police station every Monday"})
                    first_witness = (d - 1) * WITNESSES_PER_CASE + 1
                    if rng.random() < 0.5 and first_witness <= count:
                        conditions.append({"event_id": event_id, "kind": ConditionKind.NO_CONTACT,
                                           "witness_id": first_witness, "text": ""})
            continue
        entry(d, CustodyKind.ARRESTED, arrested)
        entry(d, CustodyKind.REMANDED, arrested + timedelta(days=1))
        sentenced = now - timedelta(days=rng.randint(30, 180))
        turn = rng.randrange(10)
        if turn == 3:  # the sentence's end reached, not yet recorded as a release
            entry(d, CustodyKind.SENTENCED, sentenced, release=today - timedelta(days=rng.randint(0, 6)))
            continue
        first = entry(d, CustodyKind.SENTENCED, sentenced, release=releases[d])
        if turn == 0:
            entry(d, CustodyKind.PAROLE_HEARING, now - timedelta(days=rng.randint(1, 20)),
                  hearing=today + timedelta(days=rng.randint(1, 60)))
        elif turn == 1:
            entry(d, CustodyKind.TEMPORARY_RELEASE, now - timedelta(days=rng.randint(6, 20)),
                  release=today + timedelta(days=rng.randint(-5, 42)))
        elif turn == 2:
            entry(d, CustodyKind.RELEASED, now - timedelta(days=rng.randint(1, 28)), release=releases[d])
        elif turn == 4:
            entry(d, CustodyKind.SENTENCED, sentenced, release=releases[d] + timedelta(days=rng.randint(1, 60)),
                  corrects=first, note="Invented: the prison gave a later release date.")
    _load("custody_events", iter(events), len(events), "custody entries")
    _load("bail_conditions", iter(conditions), len(conditions), "bail conditions")
    changed = [{"d": d, "s": s} for d, s in status.items() if s != drawn[d]]
    if changed:
        defendants = db.metadata.tables["defendants"]
        db.session.execute(defendants.update().where(defendants.c.id == sa.bindparam("d"))
                           .values(custody_status=sa.bindparam("s")), changed)
        db.session.commit()



def _seed_remedies(rng: random.Random, count: int, witness_case: dict[int, int], today: date, now: datetime,
                   officer_id: int) -> None:
    """Compensation claims with key dates from two months past to a year ahead, and residence
    permits expiring from two months past to two years ahead (some within the reminders' reach)."""

    def day(first: int, last: int) -> date:
        return today + timedelta(days=rng.randint(first, last))

    def claim_rows() -> Iterator[dict[str, Any]]:
        for w in range(CLAIM_EVERY, count + 1, CLAIM_EVERY):
            status = rng.choice(_CLAIM_STATUSES)
            route, respondent = rng.choice(_ROUTES)
            awarded = status in (ClaimStatus.AWARDED, ClaimStatus.PAID)
            filed = status not in (ClaimStatus.PREPARING,)
            claimed = Decimal(rng.randint(1_000, 50_000))
            yield {"witness_id": w, "case_id": witness_case[w], "route": route, "respondent": respondent,
                   "defendant_id": witness_case[w] if respondent == Respondent.DEFENDANT else None,
                   "respondent_name": "" if respondent == Respondent.DEFENDANT else "Invented Respondent Ltd",
                   "heads_of_loss": [HeadOfLoss.UNPAID_WAGES.value, rng.choice(list(HeadOfLoss)).value],
                   "amount_claimed": claimed, "claimed_currency": "USD",
                   "amount_awarded": claimed if awarded else None, "awarded_currency": "USD" if awarded else None,
                   "awarded_on": day(-120, -1) if awarded else None, "award_reason": "",
                   "limitation_on": day(-60, 365), "filing_due_on": None if filed else day(0, 120),
                   "filed_on": day(-200, -1) if filed else None,
                   "hearing_on": day(-30, 240) if status in (ClaimStatus.FILED, ClaimStatus.HEARD) else None,
                   "payment_due_on": day(-60, 120) if awarded else None, "status": status,
                   "acting": "Invented Legal Aid Centre", "outcome_id": None, "created_by_id": officer_id,
                   "created_at": now}

    _load("compensation_claims", claim_rows(), count // CLAIM_EVERY, "compensation claims")

    def permit_rows() -> Iterator[dict[str, Any]]:
        for w in range(PERMIT_EVERY, count + 1, PERMIT_EVERY):
            kind, depends = rng.choice(_PERMITS)
            expires = day(-60, 730)
            yield {"witness_id": w, "case_id": witness_case[w], "kind": kind, "number": f"INV-{w:07d}",
                   "issued_on": expires - timedelta(days=365), "expires_on": expires, "depends_on_case": depends,
                   "note": "", "created_by_id": officer_id, "created_at": now}

    _load("residence_permits", permit_rows(), count // PERMIT_EVERY, "residence permits")
