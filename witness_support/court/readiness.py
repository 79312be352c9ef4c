"""Is every required witness ready for each upcoming trial day, and if not, why not.

Everything is computed from a fixed number of queries whatever the number of trials and witnesses,
so that the prosecutor's dashboard stays fast with many cases.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.dialects import postgresql

from ..access import has_broad_caseload, visible_case_clause, visible_case_ids
from ..aids.models import OPEN_AID_STATUSES, TestimonialAid
from ..auth.models import User
from ..cases.models import Case, Defendant
from ..db import today_utc, utc_now
from ..extensions import db
from ..permissions import Permission
from ..services.models import READINESS_TOPICS, InformationGiven, Topic
from ..witnesses.models import (
    PARTICIPATION_MEANS,
    AssignmentRole,
    Participation,
    RiskAssessment,
    Witness,
    WitnessAssignment,
)
from . import interpreting
from .models import (
    Attendance,
    CourtEvent,
    EventKind,
    EventStatus,
    EventWitness,
)
from .operations import MAX_EVENT_HOURS
from .signals import readiness_checking

UTC = ZoneInfo("UTC")


@dataclass
class Blocker:
    code: str
    message: str
    link: str  # where the blocker is fixed
    # The permission that opens `link`, and the one that fixes the blocker there. A reader without
    # the first is never linked there; a reader without the second is also offered `ask_link`: a
    # page that says who fixes the blocker and lets them ask.
    permission: str = ""
    fix_permission: str = ""
    ask_link: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "link": self.link}


@dataclass(frozen=True)
class ReadinessFinding:
    """What another area's rule found for one witness at one trial day (see `readiness_checking`):
    a blocker, or with `blocking=False` a note shown beside the witness. `endpoint` takes the
    witness id as `witness_id`."""

    event_id: int
    witness_id: int
    code: str
    message: str
    endpoint: str
    blocking: bool = True
    permission: str = "witness:view"  # the permission that opens `endpoint` and fixes the finding there


# What readiness reads, as plain values: a dashboard page has about 50 trial days and 100
# witnesses, and building that many ORM objects cost more than the statements that read them.


@dataclass(slots=True)
class TrialCase:
    id: int
    reference: str
    court_timezone: str
    at_large: int = 0  # defendants at large (warrant issued, escaped)


@dataclass(slots=True)
class TrialDay:
    """A trial-day court event with its case."""

    id: int
    case_id: int
    starts_at: datetime
    ends_at: datetime
    court_name: str
    interpreter_language: str | None
    case: TrialCase


@dataclass(slots=True)
class ReadinessWitness:
    """The witness as the readiness rules and pages see them (never the encrypted identity, save
    the birth date that decides whether they are a child)."""

    id: int
    reference: str
    participation: str
    reflection_end: date | None
    interpreter_language: str | None
    date_of_birth: date | None
    presumed_child: bool
    age_assessment: str | None

    is_child_on = Witness.is_child_on


@dataclass(slots=True)
class OpenAid:
    kind: str
    status: str


@dataclass
class WitnessReadiness:
    witness: ReadinessWitness
    blockers: list[Blocker] = field(default_factory=list)
    link: str = ""  # the witness's own readiness page
    notes: list[Blocker] = field(default_factory=list)  # shown, not blocking (a pending charge, say)

    @property
    def ready(self) -> bool:
        return not self.blockers


@dataclass
class TrialReadiness:
    event: TrialDay
    case: TrialCase
    witnesses: list[WitnessReadiness] = field(default_factory=list)
    case_link: str = ""  # the case's readiness page
    # Said next to the trial day without making anyone "not ready" (a defendant at large, say).
    warnings: list[Blocker] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.witnesses)

    @property
    def ready_count(self) -> int:
        return sum(1 for w in self.witnesses if w.ready)

    @property
    def state(self) -> str:
        """ready / partly_ready / not_ready, shown as words (never colour alone)."""
        if self.total == 0:
            return "no_witnesses"
        if self.ready_count == self.total:
            return "ready"
        if self.ready_count * 2 >= self.total:
            return "partly_ready"
        return "not_ready"


STATE_LABELS = {
    "ready": "Ready",
    "partly_ready": "Partly ready",
    "not_ready": "Not ready",
    "no_witnesses": "No witnesses listed",
}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


_TRIAL_DAY_COLUMNS = (
    CourtEvent.id, CourtEvent.case_id, CourtEvent.starts_at, CourtEvent.ends_at, CourtEvent.court_name,
    CourtEvent.interpreter_language, Case.reference, Case.court_timezone,
    # In the same statement: a case's defendants are few, and readiness keeps its fixed query count.
    sa.select(sa.func.count(Defendant.id))
    .where(Defendant.case_id == Case.id, Defendant.custody_status == "at_large")
    .correlate(Case).scalar_subquery(),
)


def _trial_days(rows: sa.Result) -> list[TrialDay]:
    """Rows of `_TRIAL_DAY_COLUMNS` as trial days, one TrialCase per case."""
    cases: dict[int, TrialCase] = {}
    days = []
    for event_id, case_id, starts_at, ends_at, court_name, language, reference, timezone, at_large in rows:
        case = cases.get(case_id)
        if case is None:
            case = cases[case_id] = TrialCase(case_id, reference, timezone, at_large or 0)
        days.append(TrialDay(event_id, case_id, starts_at, ends_at, court_name, language, case))
    return days


def _trial_days_statement(
    in_cases: sa.ColumnElement[bool], start: object, lower: object, end: object | None, *,
    after: object | None = None, limit: object | None = None,
) -> sa.Select:
    """Trial days not over at `start`, soonest first; `after` (an event id) and `limit` page by
    keyset on (start, id). Values or bound parameters alike: `start`, `end` (or None) instants,
    `lower` = `start` - MAX_EVENT_HOURS (no event lasts longer: it lets the index skip the past)."""
    query = (
        sa.select(*_TRIAL_DAY_COLUMNS)
        .join(Case, Case.id == CourtEvent.case_id)
        .where(
            in_cases,
            CourtEvent.kind == EventKind.TRIAL_DAY,
            # Plain comparisons: an IN of constants would be rendered into the SQL on every run.
            sa.or_(CourtEvent.status == EventStatus.SCHEDULED, CourtEvent.status == EventStatus.MOVED),
            CourtEvent.ends_at >= start,
            CourtEvent.starts_at >= lower,
        )
        .order_by(CourtEvent.starts_at, CourtEvent.id)
    )
    if end is not None:
        query = query.where(CourtEvent.starts_at < end)
    if after is not None:
        cursor = sa.select(CourtEvent.starts_at).where(CourtEvent.id == after).scalar_subquery()
        query = query.where(sa.or_(
            CourtEvent.starts_at > cursor, sa.and_(CourtEvent.starts_at == cursor, CourtEvent.id > after)
        ))
    if limit is not None:
        query = query.limit(limit)
    return query


def _upcoming_trial_days(case_ids: sa.Select | list[int], start: datetime) -> list[TrialDay]:
    """Every upcoming trial day of the given cases (a list or SELECT of case ids), soonest first."""
    lower = start - timedelta(hours=MAX_EVENT_HOURS)
    return _trial_days(db.session.execute(
        _trial_days_statement(CourtEvent.case_id.in_(case_ids), start, lower, None)
    ))


@functools.cache
def _dashboard_statement(broad: bool, keyset: bool, limited: bool) -> sa.Select:
    """The dashboard's trial days, built once per shape with bound parameters `user_id`, `start`,
    `lower`, `end` (and `after`, `limit`). A broad caseload reads the events in (kind, starts_at) index
    order and checks each case by a correlated EXISTS; a narrow one starts from its few cases."""
    user = SimpleNamespace(id=sa.bindparam("user_id", type_=sa.Integer))  # the need-to-know rules' user
    in_cases = (visible_case_clause(user, CourtEvent.case_id) if broad
                else CourtEvent.case_id.in_(visible_case_ids(user)))
    instant = CourtEvent.starts_at.type
    return _trial_days_statement(
        in_cases, sa.bindparam("start", type_=instant), sa.bindparam("lower", type_=instant),
        sa.bindparam("end", type_=instant),
        after=sa.bindparam("after", type_=sa.Integer) if keyset else None,
        limit=sa.bindparam("limit", type_=sa.Integer) if limited else None,
    )


@functools.cache
def _witness_rows(dialect_name: str) -> sa.Select:
    """One row per (trial day, required witness) with every readiness input the witness has, each
    a correlated EXISTS or subquery answered from an index: one statement whatever the page size.

    Built once per database kind, with bound parameters `event_ids`, `today` and `assessed_since`:
    building it (ORM aliases) costs more than running it. On PostgreSQL the event ids are one
    array parameter (`= ANY(:event_ids)`), not an IN list: the statement's text is then the same
    for every page, so the driver prepares it and PostgreSQL reuses a generic plan, where an IN
    list of 50 parameters was planned afresh on every view (docs/performance.md). That takes the
    prepared statement surviving from one request to the next: db.commit_read_only_requests."""
    today = sa.bindparam("today", type_=sa.Date)
    event = sa.orm.aliased(CourtEvent)
    witness_id = EventWitness.witness_id
    assessed = sa.exists().where(
        RiskAssessment.witness_id == witness_id,
        RiskAssessment.stage == "trial",
        RiskAssessment.assessed_on >= sa.bindparam("assessed_since", type_=sa.Date),
    )
    has_guardian = sa.exists().where(
        WitnessAssignment.witness_id == witness_id,
        WitnessAssignment.role == AssignmentRole.GUARDIAN,
        WitnessAssignment.active_clause(today),
    )
    visit, visited = sa.orm.aliased(CourtEvent), sa.orm.aliased(EventWitness)
    # From the case's few held visits (index on case, kind) to the witness among each one's
    # witnesses (unique index on event, witness); a join let PostgreSQL start from every event the
    # witness is required at instead, twice the cost.
    familiarised = sa.exists().where(
        visit.case_id == event.case_id,
        visit.kind == EventKind.FAMILIARISATION_VISIT,
        visit.status == EventStatus.HELD,
        # Correlated with the outer rows explicitly: left to itself, SQLAlchemy correlates a
        # nested EXISTS only with the EXISTS around it and would add a second EventWitness.
        sa.exists().where(visited.event_id == visit.id, visited.witness_id == witness_id).correlate_except(visited),
    )
    # Who attends for the witness, only while their assignment to the witness is active.
    supporter = sa.orm.aliased(WitnessAssignment)
    roles = (
        sa.select(sa.func.aggregate_strings(Attendance.role, ","))
        .where(
            Attendance.event_id == EventWitness.event_id,
            Attendance.witness_id == witness_id,
            sa.exists().where(
                supporter.witness_id == Attendance.witness_id,
                supporter.user_id == Attendance.user_id,
                supporter.active_clause(today),
            ),
        )
        .scalar_subquery()
    )
    # The witness's aids in this case not yet decided, as "kind:status,kind:status" (codes only).
    aids = (
        sa.select(sa.func.aggregate_strings(TestimonialAid.kind + ":" + TestimonialAid.status, ","))
        .where(
            TestimonialAid.witness_id == witness_id,
            TestimonialAid.case_id == event.case_id,
            # Plain comparisons: an IN of constants would be rendered into the SQL on every run.
            sa.or_(*(TestimonialAid.status == status for status in sorted(OPEN_AID_STATUSES))),
        )
        .scalar_subquery()
    )
    trial = sa.orm.aliased(CourtEvent)
    first_trial = (
        sa.select(sa.func.min(trial.starts_at))
        .where(trial.case_id == event.case_id, trial.kind == EventKind.TRIAL_DAY,
               trial.status != EventStatus.CANCELLED)
        # Correlated with the outer trial day explicitly: inside the EXISTS below, left to itself,
        # SQLAlchemy would correlate only with that EXISTS and add a court_events of its own, so
        # the first trial day of every case would be read (and compared) instead of this case's.
        .correlate(event)
        .scalar_subquery()
    )
    # Was each readiness topic explained to the witness in their own language before the first trial day?
    explained = [
        sa.exists().where(
            InformationGiven.witness_id == witness_id,
            InformationGiven.topic == topic,
            sa.func.lower(InformationGiven.language) == sa.func.lower(Witness.preferred_language),
            InformationGiven.given_at < first_trial,
        )
        for topic in READINESS_TOPICS
    ]
    return (
        sa.select(
            EventWitness.event_id,
            # Only what the rules and the pages use: the encrypted identity is never read.
            Witness.id, Witness.reference, Witness.participation, Witness.reflection_end,
            Witness.interpreter_language, Witness.date_of_birth, Witness.presumed_child, Witness.age_assessment,
            assessed, has_guardian, familiarised, roles, aids, first_trial, *explained,
        )
        .join(event, event.id == EventWitness.event_id)
        .join(Witness, Witness.id == witness_id)
        .where(
            EventWitness.event_id == sa.any_(sa.bindparam("event_ids", type_=postgresql.ARRAY(sa.Integer)))
            if dialect_name == "postgresql" else EventWitness.event_id.in_(sa.bindparam("event_ids", expanding=True))
        )
        .order_by(Witness.reference)
    )


def readiness_for_events(events: list[TrialDay], *, today: date | None = None) -> list[TrialReadiness]:
    """Readiness of every required witness at each given trial day (1 query in all)."""
    today = today or today_utc()
    if not events:
        return []
    max_age = timedelta(days=current_app.config["RISK_ASSESSMENT_MAX_AGE_DAYS"])
    by_event: dict[int, list] = defaultdict(list)
    witnesses: dict[int, ReadinessWitness] = {}
    for (event_id, witness_id, reference, participation, reflection_end, language, born, presumed, age,
         *inputs) in db.session.execute(
        _witness_rows(db.session.get_bind().dialect.name),
        {"event_ids": [e.id for e in events], "today": today, "assessed_since": today - max_age},
    ):
        witness = witnesses.get(witness_id)
        if witness is None:
            witness = witnesses[witness_id] = ReadinessWitness(
                witness_id, reference, participation, reflection_end, language, born, bool(presumed), age)
        by_event[event_id].append((witness, *inputs))

    results, links = [], _Links()
    findings = _findings(events, by_event)
    for event in events:
        case = event.case
        tz = ZoneInfo(case.court_timezone)
        event_day = event.starts_at.astimezone(tz).date()
        trial = TrialReadiness(event=event, case=case, case_link=links("court.case_readiness", "case_id", case.id))
        if case.at_large:
            # A warning, not a blocker: no witness can make it right, but the day's safety plan must.
            some = "A defendant is" if case.at_large == 1 else f"{case.at_large} defendants are"
            trial.warnings.append(Blocker(
                "defendant_at_large", f"{some} at large: plan the witnesses' safety at court.",
                links("cases.show", "case_id", case.id) + "#custody-title"))
        for witness, assessed, has_guardian, familiarised, roles, aids, first, *explained in by_event[event.id]:
            first_day = _aware(first or event.starts_at).astimezone(tz).date()
            blockers = _blockers(
                witness, event, case, today=today, event_day=event_day, first_day=first_day,
                assessed=bool(assessed), aids=_open_aids(aids), has_guardian=bool(has_guardian),
                roles=set(roles.split(",")) if roles else set(), familiarised=bool(familiarised), links=links,
                unexplained=[t for t, done in zip(READINESS_TOPICS, explained, strict=True) if not done],
            )
            notes = []
            for finding in findings.get((event.id, witness.id), ()):
                item = Blocker(finding.code, finding.message, links(finding.endpoint, "witness_id", witness.id),
                               finding.permission, finding.permission)
                (blockers if finding.blocking else notes).append(item)
            trial.witnesses.append(WitnessReadiness(
                witness=witness, blockers=blockers, link=links("court.witness_readiness", "witness_id", witness.id),
                notes=notes))
        results.append(trial)
    return results


def _findings(events: list[TrialDay], by_event: dict[int, list]) -> dict[tuple[int, int], list[ReadinessFinding]]:
    """Other areas' findings (`readiness_checking`), by (event id, witness id); nothing is asked
    when no area listens."""
    if not readiness_checking.receivers:
        return {}
    pairs = [(event.id, row[0].id, event.starts_at.astimezone(ZoneInfo(event.case.court_timezone)).date())
             for event in events for row in by_event[event.id]]
    found: dict[tuple[int, int], list[ReadinessFinding]] = defaultdict(list)
    if not pairs:
        return found
    for _, answer in readiness_checking.send(pairs):
        for finding in answer or ():
            found[(finding.event_id, finding.witness_id)].append(finding)
    return found


def _open_aids(codes: str | None) -> list[OpenAid]:
    """The aggregated "kind:status,…" of `_witness_rows`, in a fixed order (kind, then status)."""
    if not codes:
        return []
    return [OpenAid(*pair.split(":", 1)) for pair in sorted(codes.split(","))]


_SENTINEL = 2_147_483_647


class _Links:
    """url_for(endpoint, name=value, **fixed) for the dashboard's hundreds of links: each endpoint
    is built once (per call of `readiness_for_events`, so within one request) with a sentinel
    number, which each link then replaces (a page has up to 8 links for each of 100 witnesses, and
    werkzeug's URL building is the larger cost; docs/performance.md)."""

    def __init__(self) -> None:
        self.patterns: dict[object, tuple[str, str]] = {}

    def __call__(self, endpoint: str, name: str, value: int, **fixed: str) -> str:
        key = (endpoint, name, *fixed.items())
        pattern = self.patterns.get(key)
        if pattern is None:
            head, _, tail = url_for(endpoint, **{name: _SENTINEL}, **fixed).partition(str(_SENTINEL))
            pattern = self.patterns[key] = (head, tail)
        return f"{pattern[0]}{value:d}{pattern[1]}"


def _blockers(  # noqa: C901 - one branch per rule, read top to bottom
    witness: ReadinessWitness, event: TrialDay, case: TrialCase, *, today: date, event_day: date,
    first_day: date, assessed: bool, aids: list[OpenAid], has_guardian: bool, roles: set[str],
    familiarised: bool, links: _Links, unexplained: list[str] = (),
) -> list[Blocker]:
    config = current_app.config
    ref = witness.reference
    blockers: list[Blocker] = []

    def add(code: str, message: str, link: str, permission: Permission, fix: Permission | None = None) -> None:
        blockers.append(Blocker(code, message, link, permission.value, (fix or permission).value,
                                links("court.ask_to_fix", "witness_id", witness.id, blocker=code)))

    if not assessed:
        add("risk_assessment",
            f"No risk assessment for the trial stage in the last {config['RISK_ASSESSMENT_MAX_AGE_DAYS']} days.",
            links("witnesses.new_risk_assessment", "witness_id", witness.id), Permission.RISK_CREATE)
    if witness.participation != Participation.PARTICIPATING:
        add("participation", f"Participation {witness.participation}: {ref} "
                             f"{PARTICIPATION_MEANS[Participation(witness.participation)]}.",
            links("witnesses.edit", "witness_id", witness.id), Permission.WITNESS_EDIT)
    if witness.reflection_end is not None and witness.reflection_end >= today:
        add("reflection_period", f"Reflection period runs until {witness.reflection_end.isoformat()}.",
            links("witnesses.show", "witness_id", witness.id), Permission.WITNESS_VIEW, Permission.WITNESS_EDIT)
    days_left = (first_day - today).days
    if aids and days_left < config["AID_DEADLINE_DAYS"]:
        kinds = ", ".join(f"{a.kind.replace('_', ' ')} ({a.status})" for a in aids)
        add("aid_pending", f"Aids not decided with {max(days_left, 0)} days to the first trial day: {kinds}.",
            links("aids.for_witness", "witness_id", witness.id), Permission.AID_MANAGE)
    support_roles = roles - {AssignmentRole.INTERPRETER}
    if not support_roles:
        add("no_support_person", "Nobody is booked to attend this trial day in support.",
            links("court.show_event", "event_id", event.id) + "#attendance", Permission.COURT_EVENT_VIEW,
            Permission.COURT_ATTENDANCE_MANAGE)
    interpreter = interpreting.need(event.interpreter_language, witness.interpreter_language,
                                    AssignmentRole.INTERPRETER in roles)
    if interpreter.missing:
        add("no_interpreter", f"An interpreter for {interpreter.language} is needed but none is booked.",
            links("court.show_event", "event_id", event.id) + "#attendance", Permission.COURT_EVENT_VIEW,
            Permission.COURT_ATTENDANCE_MANAGE)
    if not familiarised:
        add("no_familiarisation_visit", "No familiarisation visit to the court has been held.",
            links("court.new_event", "case_id", case.id, kind="familiarisation_visit"), Permission.COURT_EVENT_MANAGE)
    if witness.is_child_on(max(event_day, today)) and not has_guardian:
        add("child_without_guardian", f"{ref} is a child and has no guardian assigned.",
            links("witnesses.new_assignment", "witness_id", witness.id), Permission.WITNESS_ASSIGN)
    if unexplained:
        topics = " and ".join(Topic.words_of(t) for t in unexplained)
        add("not_explained", f"Not explained in {ref}'s language before the first trial day: {topics}.",
            links("services.new_information", "witness_id", witness.id), Permission.SERVICES_RECORD)
    return blockers


def witness_readiness(witness: Witness, case_ids: sa.Select, *, today: date | None = None) -> list[TrialReadiness]:
    """The witness's upcoming trial days in the given cases, each narrowed to this witness."""
    required_at = set(db.session.execute(
        sa.select(EventWitness.event_id).where(EventWitness.witness_id == witness.id)
    ).scalars())
    trials = readiness_for_events(
        [e for e in _upcoming_trial_days(case_ids, utc_now()) if e.id in required_at], today=today
    )
    for trial in trials:
        trial.witnesses = [w for w in trial.witnesses if w.witness.id == witness.id]
    return trials


def case_readiness(case: Case, *, today: date | None = None) -> list[TrialReadiness]:
    """Every upcoming trial day of one case."""
    events = _upcoming_trial_days([case.id], utc_now())
    return readiness_for_events(events, today=today)


DASHBOARD_PAGE_SIZE = 50


def dashboard(
    user: User, *, today: date | None = None, after: int | None = None, limit: int | None = None,
) -> list[TrialReadiness]:
    """Upcoming trial days within the configured window across the user's cases, soonest first;
    one page of them when `limit` is given (keyset after the event id `after`, never OFFSET)."""
    now = utc_now()
    statement = _dashboard_statement(has_broad_caseload(user), after is not None, limit is not None)
    window = timedelta(days=current_app.config["READINESS_WINDOW_DAYS"])
    params: dict[str, object] = {"user_id": user.id, "start": now, "end": now + window,
                                 "lower": now - timedelta(hours=MAX_EVENT_HOURS)}
    if after is not None:
        params["after"] = after
    if limit is not None:
        params["limit"] = limit
    return readiness_for_events(_trial_days(db.session.execute(statement, params)), today=today)
