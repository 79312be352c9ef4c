"""Web pages for cases and journeys."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from ..access import can_edit_case, can_view_case, can_view_witness, visible_case_ids, visible_witness_ids
from ..auth.models import User
from ..extensions import db
from ..forms import form_page, run_operation, submitted_once
from ..permissions import Permission, Role
from ..web import get_or_404, mark_sensitive, permission_required
from ..witnesses.models import Witness
from . import operations
from .forms import CaseForm, CaseStaffForm, DefendantForm, EndCaseAssignmentForm, LinkWitnessForm, TransitionForm
from .models import Case, CaseAssignment, Journey

bp = Blueprint("cases", __name__)


@bp.route("/cases/")
@permission_required(Permission.CASE_LIST)
def index() -> str:
    cases = db.session.execute(
        sa.select(Case)
        .where(Case.id.in_(visible_case_ids(current_user).scalar_subquery()))
        .order_by(Case.reference)
    ).scalars().all()
    return render_template("cases/index.html", cases=cases)


@bp.route("/cases/new", methods=["GET", "POST"])
@permission_required(Permission.CASE_CREATE)
@submitted_once
def new() -> str | Response:
    form = CaseForm()
    return form_page(
        form,
        lambda: operations.create_case(
            current_user,
            reference=form.reference.data,
            court_name=form.court_name.data,
            court_timezone=form.court_timezone.data.strip(),
            offence_type=form.offence_type.data,
        ),
        lambda case: f"Case {case.reference} created.",
        lambda case: url_for("cases.show", case_id=case.id),
        "cases/form.html",
    )


@bp.route("/cases/<int:case_id>")
@permission_required(Permission.CASE_VIEW)
def show(case_id: int) -> str:
    case = get_or_404(Case, case_id, can_view_case)
    mark_sensitive()
    journeys = db.session.execute(
        sa.select(Journey)
        .where(Journey.case_id == case.id)
        .options(selectinload(Journey.witness))
        .order_by(Journey.id)
    ).scalars().all()
    staff = db.session.execute(
        sa.select(CaseAssignment)
        .where(CaseAssignment.case_id == case.id, CaseAssignment.ended_at.is_(None))
        .options(selectinload(CaseAssignment.user))
    ).scalars().all()
    return render_template(
        "cases/show.html", case=case, journeys=journeys, staff=staff, can_edit=can_edit_case(current_user, case)
    )


@bp.route("/cases/<int:case_id>/staff/<int:case_assignment_id>/end", methods=["GET", "POST"])
@permission_required(Permission.CASE_EDIT)
def end_staff(case_id: int, case_assignment_id: int) -> str | Response:
    """GET asks for confirmation and a reason; POST takes the person off the case."""
    case = get_or_404(Case, case_id, can_edit_case)
    assignment = db.session.get(CaseAssignment, case_assignment_id)
    if assignment is None or assignment.case_id != case.id or assignment.ended_at is not None:
        abort(404)
    form = EndCaseAssignmentForm()
    return form_page(
        form,
        lambda: operations.end_case_assignment(current_user, assignment, form.reason.data),
        f"{assignment.user.display_name} no longer works on {case.reference}.",
        # Someone who took themselves off can no longer see the case.
        url_for("cases.show", case_id=case.id) if assignment.user_id != current_user.id
        else url_for("cases.index"),
        "cases/end_staff.html",
        case=case,
        assignment=assignment,
    )


@bp.route("/cases/<int:case_id>/defendants/new", methods=["GET", "POST"])
@permission_required(Permission.CASE_EDIT)
@submitted_once
def new_defendant(case_id: int) -> str | Response:
    case = get_or_404(Case, case_id, can_edit_case)
    form = DefendantForm()
    return form_page(
        form,
        lambda: operations.add_defendant(
            current_user, case, name=form.name.data, custody_status=form.custody_status.data
        ),
        "Defendant added.",
        url_for("cases.show", case_id=case.id),
        "cases/simple_form.html",
        case=case,
        title=f"Add a defendant to {case.reference}",
    )


@bp.route("/cases/<int:case_id>/staff/new", methods=["GET", "POST"])
@permission_required(Permission.CASE_EDIT)
@submitted_once
def new_staff(case_id: int) -> str | Response:
    case = get_or_404(Case, case_id, can_edit_case)
    form = CaseStaffForm()
    form.user_id.choices = {
        u.id: f"{u.display_name} ({u.role.replace('_', ' ')})"
        for u in db.session.execute(
            sa.select(User)
            .where(User.active.is_(True), User.role.in_([Role.PROSECUTOR, Role.LIAISON_OFFICER]))
            .order_by(User.display_name)
        ).scalars()
    }
    return form_page(
        form,
        lambda: operations.assign_to_case(current_user, case, db.session.get(User, form.user_id.data)),
        "Added to the case.",
        url_for("cases.show", case_id=case.id),
        "cases/simple_form.html",
        case=case,
        title=f"Add staff to {case.reference}",
    )


@bp.route("/cases/<int:case_id>/witnesses/new", methods=["GET", "POST"])
@permission_required(Permission.JOURNEY_START)
@submitted_once
def link_witness(case_id: int) -> str | Response:
    case = get_or_404(Case, case_id, can_edit_case)
    mark_sensitive()
    form = LinkWitnessForm()
    already = sa.select(Journey.witness_id).where(Journey.case_id == case.id)
    form.witness_id.choices = {
        w.id: w.reference
        for w in db.session.execute(
            sa.select(Witness)
            .where(
                Witness.id.in_(visible_witness_ids(current_user).scalar_subquery()),
                Witness.id.not_in(already.scalar_subquery()),
            )
            .order_by(Witness.reference)
        ).scalars()
    }
    error = None
    if form.validate_on_submit():
        witness = get_or_404(Witness, form.witness_id.data, can_view_witness)
        result = run_operation(
            form,
            lambda: operations.start_journey(current_user, case, witness),
            f"{witness.reference} is now a witness in {case.reference}.",
            url_for("cases.show", case_id=case.id),
        )
        if isinstance(result, Response):
            return result
        error = result
    return render_template("cases/simple_form.html", form=form, case=case, error=error,
                           title=f"Link a witness to {case.reference}")


@bp.route("/journeys/<int:journey_id>/transition", methods=["GET", "POST"])
@permission_required(Permission.JOURNEY_TRANSITION)
def transition(journey_id: int) -> str | Response:
    journey = get_or_404(Journey, journey_id)
    if not can_view_witness(current_user, journey.witness):
        abort(404)
    mark_sensitive()
    form = TransitionForm()
    return form_page(
        form,
        lambda: operations.transition_journey(
            current_user, journey, form.to.data, form.reason.data or "", form.override_reason.data or ""
        ),
        "Stage changed.",
        url_for("witnesses.show", witness_id=journey.witness_id, _anchor=f"journey-{journey.id}"),
        "cases/transition.html",
        journey=journey,
    )
