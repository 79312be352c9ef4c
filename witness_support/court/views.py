"""Web pages for court support: events, attendance, the readiness dashboard, a person's schedule."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from ..access import (
    can_view_case,
    can_view_witness,
    visible_case_ids,
)
from ..aids.queries import aids_in_case
from ..auth.models import User
from ..cases.models import Case, Journey
from ..dates import date_error
from ..db import today_utc, utc_now
from ..extensions import db
from ..forms import attempt, run_operation, submitted_once
from ..permissions import Permission, Role, has_permission
from ..tasks.models import Task
from ..web import get_or_404, id_arg, mark_sensitive, permission_required
from ..witnesses.models import Witness, WitnessAssignment
from . import calendar, interpreting, operations, readiness
from .forms import (
    AttendanceForm,
    CancelForm,
    EventForm,
    HeldForm,
    MoveForm,
    RequiredWitnessForm,
)
from .models import CourtEvent, EventKind, EventWitness
from .queries import can_manage_event, can_view_event, schedule_for

bp = Blueprint("court", __name__)


def _zone_hints(form: Any, tz: str) -> Any:
    """Say by every time field which clock it is read on: the court's.

    The hint names no order of day and month: the browser shows the date in the format of its own
    locale (mm/dd/yyyy in one, dd/mm/yyyy in another), which the page cannot know. A browser
    without a date picker shows a plain box, for which the hint gives the one format accepted.
    """
    for name in ("starts_at", "ends_at"):
        form[name].description = (f"Court time, {tz}: the date and time as your browser shows them "
                                  "(typed by hand: 2026-03-31T09:30).")
    return form


def _case_witness_choices(case: Case) -> list[tuple[int, str]]:
    return [
        (w.id, w.reference)
        for w in db.session.execute(
            sa.select(Witness).join(Journey, Journey.witness_id == Witness.id)
            .where(Journey.case_id == case.id).order_by(Witness.reference)
        ).scalars()
    ]


# ---- events ----------------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/court-events")
@permission_required(Permission.COURT_EVENT_VIEW)
def case_events(case_id: int) -> str:
    case = get_or_404(Case, case_id, can_view_case)
    mark_sensitive()
    events = db.session.execute(
        sa.select(CourtEvent).where(CourtEvent.case_id == case.id)
        .options(selectinload(CourtEvent.required).selectinload(EventWitness.witness))
        .order_by(CourtEvent.starts_at, CourtEvent.id)
    ).scalars().all()
    return render_template("court/case_events.html", case=case, events=events,
                           can_manage=has_permission(current_user, Permission.COURT_EVENT_MANAGE), now=utc_now())


@bp.route("/cases/<int:case_id>/court-events/new", methods=["GET", "POST"])
@permission_required(Permission.COURT_EVENT_MANAGE)
@submitted_once
def new_event(case_id: int) -> str | Response:
    case = get_or_404(Case, case_id, can_view_case)
    mark_sensitive()
    form = _zone_hints(EventForm(), case.court_timezone)
    form.witness_ids.choices = _case_witness_choices(case)
    if request.method == "GET" and request.args.get("kind") in set(EventKind):
        form.kind.data = request.args["kind"]
    error = None
    if form.validate_on_submit():
        tz = case.court_timezone
        result = run_operation(
            form,
            lambda: operations.schedule_event(
                current_user, case, kind=form.kind.data,
                starts_at=operations.from_court_local(form.starts_at.data, tz, "starts_at"),
                ends_at=operations.from_court_local(form.ends_at.data, tz, "ends_at"),
                room=form.room.data or "", court_name=form.court_name.data or None,
                remote_link=form.remote_link.data, interpreter_language=form.interpreter_language.data or None,
                witness_ids=form.witness_ids.data or [],
                reflection_override_reason=form.reflection_override_reason.data or "",
                avoid_override_reason=form.avoid_override_reason.data or "",
            ),
            "Court event scheduled.",
            url_for("court.case_events", case_id=case.id),
        )
        if isinstance(result, Response):
            return result
        error = result
    return render_template("court/event_form.html", form=form, case=case, error=error)


@bp.route("/court-events/<int:event_id>")
@permission_required(Permission.COURT_EVENT_VIEW)
def show_event(event_id: int) -> str:
    event = get_or_404(CourtEvent, event_id, can_view_event)
    mark_sensitive()
    return render_template("court/event.html", **_event_page(event))


def _event_page(event: CourtEvent, **forms: Any) -> dict[str, Any]:
    case = event.case
    required_ids = [r.witness_id for r in event.required]
    attendance_form = forms.get("attendance_form") or AttendanceForm()
    attendance_form.witness_id.choices = [(r.witness_id, r.witness.reference) for r in event.required]
    # Only people actively assigned to one of the required witnesses can attend for them.
    people = db.session.execute(
        sa.select(User).join(WitnessAssignment, WitnessAssignment.user_id == User.id)
        .where(WitnessAssignment.witness_id.in_(required_ids or [-1]), WitnessAssignment.active_clause(),
               User.active.is_(True))
        .distinct().order_by(User.display_name)
    ).scalars().all()
    can_assign = has_permission(current_user, Permission.WITNESS_ASSIGN)
    if can_assign:
        # Who may assign can book anyone assignable: booking assigns them to the witness too.
        others = db.session.execute(
            sa.select(User).where(User.active.is_(True), User.role != Role.ADMIN,
                                  User.id.not_in([u.id for u in people] or [-1]))
            .order_by(User.display_name)
        ).scalars().all()
        attendance_form.user_id.choices = {
            "Assigned to a witness of this event": {u.id: u.display_name for u in people},
            "Not yet assigned (booking assigns them)": {u.id: f"{u.display_name} ({u.role.replace('_', ' ')})"
                                                        for u in others},
        }
    else:
        attendance_form.user_id.choices = [(u.id, u.display_name) for u in people]
    witness_form = forms.get("witness_form") or RequiredWitnessForm()
    witness_form.witness_id.choices = [c for c in _case_witness_choices(case) if c[0] not in required_ids]
    move_form = _zone_hints(forms.get("move_form") or MoveForm(), case.court_timezone)
    if not move_form.is_submitted():
        move_form.starts_at.data = operations.court_local(event.starts_at, case.court_timezone).replace(tzinfo=None)
        move_form.ends_at.data = operations.court_local(event.ends_at, case.court_timezone).replace(tzinfo=None)
        move_form.room.data = event.room
    return {
        "event": event,
        "case": case,
        "aids": aids_in_case(current_user, case.id, [r.witness for r in event.required]),
        "attendance_form": attendance_form,
        "witness_form": witness_form,
        "move_form": move_form,
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "held_form": HeldForm(),
        "error": forms.get("error"),
        "can_manage": can_manage_event(current_user, event),
        "can_book": has_permission(current_user, Permission.COURT_ATTENDANCE_MANAGE),
        "can_assign": can_assign,
        "interpreters": interpreting.for_event(event),
        "now": utc_now(),
    }


def _event_action(event_id: int, form_name: str, form: Any, action: Any, success: str) -> str | Response:
    event = get_or_404(CourtEvent, event_id, can_manage_event)
    mark_sensitive()
    error = None
    if form.validate_on_submit():
        result = run_operation(form, lambda: action(event), success, url_for("court.show_event", event_id=event.id))
        if isinstance(result, Response):
            return result
        error = result
    else:
        error = "Some fields need attention."
    return render_template("court/event.html", **_event_page(event, **{form_name: form, "error": error})), 422


@bp.route("/court-events/<int:event_id>/move", methods=["POST"])
@permission_required(Permission.COURT_EVENT_MANAGE)
def move_event(event_id: int) -> str | Response:
    form = MoveForm()

    def act(event: CourtEvent) -> None:
        tz = event.case.court_timezone
        operations.move_event(
            current_user, event, starts_at=operations.from_court_local(form.starts_at.data, tz, "starts_at"),
            ends_at=operations.from_court_local(form.ends_at.data, tz, "ends_at"), reason=form.reason.data,
            room=form.room.data, reflection_override_reason=form.reflection_override_reason.data or "",
            avoid_override_reason=form.avoid_override_reason.data or "",
        )

    return _event_action(event_id, "move_form", form, act, "Event moved; everyone's calendar will update.")


@bp.route("/court-events/<int:event_id>/cancel", methods=["POST"])
@permission_required(Permission.COURT_EVENT_MANAGE)
def cancel_event(event_id: int) -> str | Response:
    form = CancelForm()
    return _event_action(event_id, "cancel_form", form,
                         lambda event: operations.cancel_event(current_user, event, form.reason.data),
                         "Event cancelled. It stays listed as cancelled.")


@bp.route("/court-events/<int:event_id>/held", methods=["POST"])
@permission_required(Permission.COURT_EVENT_MANAGE)
def mark_held(event_id: int) -> str | Response:
    form = HeldForm()
    return _event_action(event_id, "held_form", form,
                         lambda event: operations.mark_event_held(current_user, event, form.note.data or ""),
                         "Marked as held.")


@bp.route("/court-events/<int:event_id>/witnesses", methods=["POST"])
@permission_required(Permission.COURT_EVENT_MANAGE)
def add_witness(event_id: int) -> str | Response:
    form = RequiredWitnessForm()
    event = get_or_404(CourtEvent, event_id, can_manage_event)
    form.witness_id.choices = _case_witness_choices(event.case)

    def act(event: CourtEvent) -> None:
        witness = get_or_404(Witness, form.witness_id.data, can_view_witness)
        operations.add_required_witness(current_user, event, witness, form.reflection_override_reason.data or "",
                                        form.avoid_override_reason.data or "")

    return _event_action(event_id, "witness_form", form, act, "Witness added to the event.")


@bp.route("/court-events/<int:event_id>/attendance", methods=["POST"])
@permission_required(Permission.COURT_ATTENDANCE_MANAGE)
@submitted_once
def add_attendance(event_id: int) -> str | Response:
    event = get_or_404(CourtEvent, event_id, can_view_event)
    mark_sensitive()
    page = _event_page(event)
    form = AttendanceForm()
    form.witness_id.choices = page["attendance_form"].witness_id.choices
    form.user_id.choices = page["attendance_form"].user_id.choices
    error = None
    if form.validate_on_submit():
        def act() -> None:
            witness = get_or_404(Witness, form.witness_id.data, can_view_witness)
            operations.assign_attendance(current_user, event, witness, db.session.get(User, form.user_id.data),
                                         form.override_reason.data or "", assign_as=form.assign_as.data or None)

        target = url_for("court.show_event", event_id=event.id, _anchor="attendance")
        result = run_operation(form, act, "Booked.", target)
        if isinstance(result, Response):
            return result
        error = result
    else:
        error = "Some fields need attention."
    return render_template("court/event.html", **_event_page(event, attendance_form=form, error=error)), 422


# ---- readiness -------------------------------------------------------------------------------


@bp.route("/court/readiness")
@permission_required(Permission.READINESS_VIEW)
def readiness_dashboard() -> str:
    mark_sensitive()
    after = id_arg(request.args.get("after"))
    size = readiness.DASHBOARD_PAGE_SIZE
    trials = readiness.dashboard(current_user, after=after, limit=size + 1)
    next_after = trials[size - 1].event.id if len(trials) > size else None
    return render_template("court/readiness.html", trials=trials[:size], labels=readiness.STATE_LABELS,
                           window=current_app.config["READINESS_WINDOW_DAYS"], next_after=next_after)


@bp.route("/cases/<int:case_id>/readiness")
@permission_required(Permission.READINESS_VIEW)
def case_readiness(case_id: int) -> str:
    case = get_or_404(Case, case_id, can_view_case)
    mark_sensitive()
    trials = readiness.case_readiness(case)
    return render_template("court/case_readiness.html", case=case, trials=trials, labels=readiness.STATE_LABELS)


@bp.route("/witnesses/<int:witness_id>/readiness")
@permission_required(Permission.READINESS_VIEW)
def witness_readiness(witness_id: int) -> str:
    """One witness's blockers for each of their upcoming trial days (in cases the user works on)."""
    witness = get_or_404(Witness, witness_id, can_view_witness)
    mark_sensitive()
    trials = readiness.witness_readiness(witness, visible_case_ids(current_user))
    return render_template("court/witness_readiness.html", witness=witness, trials=trials,
                           labels=readiness.STATE_LABELS)


@bp.route("/witnesses/<int:witness_id>/readiness/ask", methods=["GET", "POST"])
@permission_required(Permission.READINESS_VIEW)
def ask_to_fix(witness_id: int) -> str | Response:
    """Where a readiness blocker is fixed by someone else: who that is, and a button to ask them."""
    witness = get_or_404(Witness, witness_id, can_view_witness)
    code = request.values.get("blocker", "")
    if not code:
        abort(400)  # the page is about one blocker: the link names it
    if code not in operations.BLOCKER_REQUESTS:
        abort(404)
    mark_sensitive()
    if request.method == "POST":
        result = attempt(lambda: operations.ask_to_fix_blocker(current_user, witness, code))
        if not result.ok:
            flash(result.message, "error")
        else:
            tasks, created = result.value
            names = ", ".join(sorted({t.assignee.display_name for t in tasks}))
            flash(f"Asked {names}." if created else f"{names} already has this task open.", "success")
        return redirect(url_for("court.witness_readiness", witness_id=witness.id), 303)
    open_tasks = db.session.execute(
        sa.select(Task).where(Task.witness_id == witness.id, Task.kind == f"blocker_{code}", Task.done_at.is_(None))
    ).scalars().all()
    return render_template("court/ask_to_fix.html", witness=witness, code=code, open_tasks=open_tasks,
                           request_text=operations.BLOCKER_REQUESTS[code], fixers=operations.blocker_fixers(witness))


# ---- a support person's schedule -------------------------------------------------------------


@bp.route("/court/schedule")
@permission_required(Permission.SCHEDULE_VIEW)
def schedule() -> str:
    mark_sensitive()
    items = schedule_for(current_user)
    db.session.commit()  # the identity reads, if any, are audited
    return render_template("court/schedule.html", items=items, today=today_utc())


# ---- the calendar ----------------------------------------------------------------------------


def _int_arg(name: str) -> int | None:
    """A filter id from the query string; anything else means no filter (a calendar is never an error)."""
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.route("/court/calendar")
@permission_required(Permission.COURT_EVENT_VIEW)
def calendar_view() -> str:
    mark_sensitive()
    view = "week" if request.args.get("view") == "week" else "month"
    try:
        anchor = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        anchor = today_utc()
    if date_error(anchor, "search"):  # a month around year 1 or 9999 has no edges to show
        anchor = today_utc()
    court = (request.args.get("court") or "").strip()[:200] or None
    case_ids = visible_case_ids(current_user)
    month = calendar.build(case_ids, view, anchor, court=court, case_id=_int_arg("case"),
                           person_id=_int_arg("person"))
    filters = {"view": view, "court": court or "", "case": _int_arg("case"), "person": _int_arg("person")}
    return render_template("court/calendar.html", cal=month, filters=filters, today=today_utc(),
                           choices=calendar.filter_choices(case_ids))
