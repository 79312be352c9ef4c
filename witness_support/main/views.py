"""The home page for each role, and a health check."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import contains_eager, load_only, selectinload
from werkzeug.wrappers import Response

from ..access import first_visible, has_broad_caseload, visible_case_clause, visible_case_ids
from ..auth.models import User
from ..auth.queries import supervises_anyone
from ..cases.models import Case
from ..court import readiness
from ..court.models import CourtEvent, EventWitness
from ..court.operations import MAX_EVENT_HOURS
from ..court.queries import schedule_for
from ..dates import as_local
from ..db import today_utc, utc_now
from ..extensions import db
from ..notifications.aftercare import aftercare_due
from ..notifications.operations import undelivered_for
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
    today = today_utc()

    def first(condition: sa.ColumnElement[bool], *order: sa.ColumnElement) -> list[Witness]:
        # Only the columns the panels show: no identity decrypted but the birth date (child flag).
        query = (sa.select(Witness).where(condition).order_by(*order)
                 .options(load_only(*WitnessRow.COLUMNS[1:], Witness.reflection_end)))
        return list(db.session.execute(first_visible(current_user, query, Witness.id, Witness.id, 100)).scalars())

    overdue = first(Witness.next_review_on < today, Witness.next_review_on, Witness.id)
    never_assessed = first(Witness.next_review_on.is_(None), Witness.id)
    reflecting = first(sa.and_(Witness.reflection_end >= today, Witness.reflection_start <= today),
                       Witness.reflection_end, Witness.id)
    # Court support on the home page: a support person's own schedule, a prosecutor's readiness.
    schedule_items = readiness_trials = None
    officer = current_user.role == Role.LIAISON_OFFICER
    week_events = _week_events(current_user) if officer else None
    # Closed journeys still enrolled for offender notices, with a release, hearing, notice or task due.
    aftercare = aftercare_due(current_user, today, utc_now()) if officer else None
    if current_user.role == Role.SUPPORT_PERSON:
        schedule_items = schedule_for(current_user)
        db.session.commit()  # identity reads on the schedule are audited
    elif current_user.role == Role.PROSECUTOR:
        readiness_trials = readiness.dashboard(current_user, limit=HOME_TRIALS + 1)
    notices = (undelivered_for(current_user, utc_now())
               if has_permission(current_user, Permission.NOTIFICATION_VIEW) else [])
    # The supervisor's page is linked for whoever an administrator named as someone's supervisor.
    supervises = supervises_anyone(current_user)
    return render_template(
        "main/home.html",
        supervises=supervises,
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
        now=utc_now(),
    )


def _week_events(user: User) -> dict[str, list]:
    """Court events in the next seven days in the user's cases at which a witness is required (each
    a witness of the case, so one the user sees), split into today and the rest of the week (each
    by its own court's date)."""
    now = utc_now()
    in_cases = (visible_case_clause(user, CourtEvent.case_id) if has_broad_caseload(user)
                else CourtEvent.case_id.in_(visible_case_ids(user)))
    rows = db.session.execute(
        sa.select(CourtEvent)
        .join(Case, Case.id == CourtEvent.case_id)
        .options(contains_eager(CourtEvent.case),
                 selectinload(CourtEvent.required).selectinload(EventWitness.witness).load_only(Witness.reference))
        .where(
            in_cases,
            sa.exists().where(EventWitness.event_id == CourtEvent.id),
            CourtEvent.ends_at >= now - timedelta(hours=12),
            # No event lasts longer than MAX_EVENT_HOURS: this bound lets the index skip the past.
            CourtEvent.starts_at >= now - timedelta(hours=12 + MAX_EVENT_HOURS),
            CourtEvent.starts_at < now + timedelta(days=7),
        )
        .order_by(CourtEvent.starts_at, CourtEvent.id)
        .limit(200)
    ).unique().scalars().all()
    split: dict[str, list] = {"today": [], "week": []}
    for event in rows:
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
