"""The home page for each role, and a health check."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..access import (
    BROAD_CASELOAD,
    broad_caseload_clause,
    first_visible,
    user_parameter,
    visible_case_clause,
    visible_case_ids,
)
from ..auth.models import User
from ..auth.queries import supervises_clause
from ..cases.models import Case
from ..court import readiness
from ..court.models import CourtEvent, EventWitness
from ..court.operations import MAX_EVENT_HOURS
from ..court.queries import schedule_for
from ..custody.queries import at_large_clause, remember_at_large
from ..dates import as_local
from ..db import UTCDateTime, today_utc, utc_now
from ..extensions import db
from ..notifications.aftercare import aftercare_due
from ..notifications.operations import team_inbox_clause, undelivered_for
from ..permissions import Permission, Role, has_permission
from ..tasks.operations import open_tasks_for
from ..witnesses.models import Witness, WitnessRow

# The prosecutor's home shows the soonest trial days; the dashboard pages through all of them.
HOME_TRIALS = 10

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home() -> str | Response:
    if current_user.role == Role.ADMIN:
        return redirect(url_for("admin.users"))
    today, now = today_utc(), utc_now()
    officer = current_user.role == Role.LIAISON_OFFICER
    # The page's facts in one statement: the caseload's shape (every panel below reads in the shape
    # it decides), the team inbox (whose aftercare has the unassigned witnesses too), and whether
    # the user supervises anyone (the supervisor's page is linked for whoever an administrator
    # named as someone's supervisor).
    inbox, inbox_params = team_inbox_clause()
    caseload, team_inbox, supervises = db.session.connection().execute(
        _facts_statement(current_user.role), {"user_id": current_user.id, **inbox_params}).one()
    broad = caseload > BROAD_CASELOAD
    params = {"user_id": current_user.id, "today": today, "now": now, "limit": 100}
    # The three witness panels in one statement, as plain rows (the witness list's columns, the end
    # of the reflection period, the "offender at large" flag of the overdue ones): no ORM objects.
    panels: dict[str, list[PanelWitness]] = {panel: [] for panel in PANELS}
    flags = []
    for panel, _position, *values, reflection_end, at_large in db.session.connection().execute(
            _panels_statement(current_user.role, broad), params):
        witness = PanelWitness(*values, reflection_end=reflection_end)
        panels[PANELS[panel]].append(witness)
        if PANELS[panel] == "overdue":
            flags.append((witness.id, bool(at_large)))
    remember_at_large(flags)  # the template's note_at_large then reads nothing more
    overdue, never_assessed, reflecting = panels["overdue"], panels["never_assessed"], panels["reflecting"]
    # Court support on the home page: a support person's own schedule, a prosecutor's readiness.
    schedule_items = readiness_trials = None
    week_events = _week_events(current_user, now, broad) if officer else None
    # Closed journeys still enrolled for offender notices, with a release, hearing, notice or task due.
    aftercare = aftercare_due(current_user, today, now, broad=broad, team_inbox=team_inbox) if officer else None
    if current_user.role == Role.SUPPORT_PERSON:
        schedule_items = schedule_for(current_user)
        db.session.commit()  # identity reads on the schedule are audited
    elif current_user.role == Role.PROSECUTOR:
        readiness_trials = readiness.dashboard(current_user, limit=HOME_TRIALS + 1)
    notices = (undelivered_for(current_user, now, broad=broad)
               if has_permission(current_user, Permission.NOTIFICATION_VIEW) else [])
    return render_template(
        "main/home.html",
        supervises=bool(supervises),
        undelivered_notices=notices,
        schedule_items=schedule_items,
        week_events=week_events,
        aftercare=aftercare,
        subscribe_url=url_for("feeds.subscribe") if "feeds.subscribe" in current_app.view_functions else None,
        readiness_trials=readiness_trials[:HOME_TRIALS] if readiness_trials is not None else None,
        more_trials=readiness_trials is not None and len(readiness_trials) > HOME_TRIALS,
        labels=readiness.STATE_LABELS,
        window=current_app.config["READINESS_WINDOW_DAYS"],
        overdue=overdue,
        never_assessed=never_assessed,
        reflecting=reflecting,
        tasks=open_tasks_for(current_user),
        today=today,
        now=now,
    )


@dataclass(slots=True)
class PanelWitness(WitnessRow):
    """A witness as a home page panel shows it: the list's row and the end of the reflection period."""

    reflection_end: date | None = None


@functools.cache
def _facts_statement(role: str) -> sa.Select:
    """The caseload's bounded count, the team inbox's id and whether the user supervises anyone, in
    one statement built once per role (bound parameters `user_id` and the team inbox's)."""
    user = user_parameter(role)
    inbox, _ = team_inbox_clause()
    return sa.select(broad_caseload_clause(user), inbox, supervises_clause(user.id))


# The home page's witness panels, in the order the one statement returns them (by number).
PANELS = ("overdue", "never_assessed", "reflecting")


@functools.cache
def _panels_statement(role: str, broad: bool) -> sa.Select:
    """The three witness panels in one statement (UNION ALL), built once per shape: each panel's
    first rows (`_panel`) numbered in the panel's order, the overdue ones with their "offender at
    large" flag."""
    branches = []
    for number, panel in enumerate(PANELS):
        rows = _panel(panel, role, broad).subquery()
        order = [rows.c[name] for name in _PANEL_ORDER[panel]]
        at_large = at_large_clause(rows.c.id) if panel == "overdue" else sa.false()
        branches.append(sa.select(sa.literal_column(str(number), sa.Integer).label("panel"),
                                  sa.func.row_number().over(order_by=order).label("position"),
                                  rows, at_large.label("at_large")))
    union = sa.union_all(*branches).subquery()
    return sa.select(union).order_by(union.c.panel, union.c.position)


# Each panel's order (as `_panel` sorts its rows), by column name.
_PANEL_ORDER = {"overdue": ("next_review_on", "id"), "never_assessed": ("id",),
                "reflecting": ("reflection_end", "id")}


@functools.cache
def _panel(panel: str, role: str, broad: bool) -> sa.Select:
    """A witness panel of the home page, built once per shape with bound parameters `user_id`,
    `today`, `now` and `limit`: building the four panels' statements cost more than running them.
    Only the columns the panels show: no identity decrypted but the birth date (child flag)."""
    today = sa.bindparam("today", type_=sa.Date)
    condition, order = {
        "overdue": (Witness.next_review_on < today, (Witness.next_review_on, Witness.id)),
        "never_assessed": (Witness.next_review_on.is_(None), (Witness.id,)),
        "reflecting": (sa.and_(Witness.reflection_end >= today, Witness.reflection_start <= today),
                       (Witness.reflection_end, Witness.id)),
    }[panel]
    query = sa.select(*WitnessRow.COLUMNS, Witness.reflection_end).where(condition).order_by(*order)
    return first_visible(user_parameter(role), query, Witness.id, Witness.id, sa.bindparam("limit", type_=sa.Integer),
                         broad=broad, on=today, now=sa.bindparam("now", type_=UTCDateTime()))


@dataclass
class WeekEvent:
    """A court event of the week as the home page lists it (plain values, read in one statement)."""

    id: int
    starts_at: datetime
    kind: str
    status: str
    court_name: str
    room: str | None
    case: SimpleNamespace  # reference, court_timezone
    required: list[SimpleNamespace] = field(default_factory=list)  # .witness.reference, in their order


@functools.cache
def _week_statement(broad: bool) -> sa.Select:
    """The week's court events of a liaison officer's cases (the first 200) with their required
    witnesses' references, built once per shape with bound parameters `user_id`, `since`,
    `earliest` and `until`; plain rows, one statement."""
    user = user_parameter(Role.LIAISON_OFFICER)
    in_cases = (visible_case_clause(user, CourtEvent.case_id) if broad
                else CourtEvent.case_id.in_(visible_case_ids(user)))
    instant = CourtEvent.starts_at.type
    events = (
        sa.select(CourtEvent.id, CourtEvent.starts_at, CourtEvent.kind, CourtEvent.status, CourtEvent.court_name,
                  CourtEvent.room, Case.reference.label("case_reference"), Case.court_timezone)
        .join(Case, Case.id == CourtEvent.case_id)
        .where(
            in_cases,
            sa.exists().where(EventWitness.event_id == CourtEvent.id),
            CourtEvent.ends_at >= sa.bindparam("since", type_=instant),
            # No event lasts longer than MAX_EVENT_HOURS: this bound lets the index skip the past.
            CourtEvent.starts_at >= sa.bindparam("earliest", type_=instant),
            CourtEvent.starts_at < sa.bindparam("until", type_=instant),
        )
        .order_by(CourtEvent.starts_at, CourtEvent.id)
        .limit(200)
        .subquery()
    )
    return (
        sa.select(events, Witness.reference)
        .join(EventWitness, EventWitness.event_id == events.c.id)
        .join(Witness, Witness.id == EventWitness.witness_id)
        .order_by(events.c.starts_at, events.c.id, EventWitness.id)
    )


def _week_events(user: User, now: datetime, broad: bool) -> dict[str, list[WeekEvent]]:
    """Court events in the next seven days in the user's cases at which a witness is required (each
    a witness of the case, so one the user sees), split into today and the rest of the week (each
    by its own court's date)."""
    since = now - timedelta(hours=12)
    events: dict[int, WeekEvent] = {}
    for (event_id, starts_at, kind, status, court_name, room, case_reference, timezone,
         reference) in db.session.connection().execute(_week_statement(broad), {
            "user_id": user.id, "since": since, "earliest": since - timedelta(hours=MAX_EVENT_HOURS),
            "until": now + timedelta(days=7)}):
        event = events.get(event_id)
        if event is None:
            event = events[event_id] = WeekEvent(event_id, starts_at, kind, status, court_name, room,
                                                 SimpleNamespace(reference=case_reference, court_timezone=timezone))
        event.required.append(SimpleNamespace(witness=SimpleNamespace(reference=reference)))
    split: dict[str, list[WeekEvent]] = {"today": [], "week": []}
    for event in events.values():
        local_today = now.astimezone(ZoneInfo(event.case.court_timezone)).date()
        local_day = as_local(event.starts_at, event.case.court_timezone).date()
        if local_day < local_today:
            continue
        split["today" if local_day == local_today else "week"].append(event)
    return split


@bp.route("/healthz")
def health() -> dict:
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
