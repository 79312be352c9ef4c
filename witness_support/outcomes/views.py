"""Web pages for a case's outcomes, custody changes and victim impact statements."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..access import can_view_case, can_view_witness
from ..cases.models import Case, Defendant, Journey
from ..extensions import db
from ..forms import attempt, submitted_once
from ..permissions import Permission, has_permission
from ..web import get_or_404, mark_sensitive, permission_required
from ..witnesses.models import Witness
from . import operations, wording
from .forms import CustodyForm, ImpactStatementForm, OutcomeForm
from .models import ImpactStatement, Outcome

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")


@bp.route("/case/<int:case_id>")
@permission_required(Permission.CASE_VIEW)
def case_outcomes(case_id: int) -> str:
    case = get_or_404(Case, case_id, can_view_case)
    mark_sensitive()
    outcomes = {o.defendant_id: o for o in db.session.execute(
        sa.select(Outcome).where(Outcome.case_id == case.id)).scalars()}
    journeys = db.session.execute(
        sa.select(Journey).where(Journey.case_id == case.id).order_by(Journey.id)).scalars().all()
    statements = {s.witness_id: s for s in db.session.execute(
        sa.select(ImpactStatement).where(ImpactStatement.case_id == case.id)).scalars()}
    return render_template(
        "outcomes/case.html", case=case, outcomes=outcomes, journeys=journeys, statements=statements,
        can_record=has_permission(current_user, Permission.OUTCOME_RECORD), describe_change=wording.change_summary,
    )


def _case_witnesses(case_id: int) -> dict[int, str]:
    return dict(db.session.execute(
        sa.select(Witness.id, Witness.reference).join(Journey, Journey.witness_id == Witness.id)
        .where(Journey.case_id == case_id).order_by(Witness.reference)
    ).all())


def _form_page(form: OutcomeForm | CustodyForm | ImpactStatementForm, title: str, case: Case,
               error: str | None) -> str:
    return render_template("outcomes/form.html", form=form, title=title, case=case, error=error)


@bp.route("/case/<int:case_id>/defendant/<int:defendant_id>/new", methods=["GET", "POST"])
@permission_required(Permission.OUTCOME_RECORD)
@submitted_once
def record(case_id: int, defendant_id: int) -> str | Response:
    case = get_or_404(Case, case_id, can_view_case)
    defendant = db.session.get(Defendant, defendant_id)
    if defendant is None or defendant.case_id != case.id:
        abort(404)
    mark_sensitive()
    form, error = OutcomeForm(), None
    form.set_witnesses(_case_witnesses(case.id))
    if form.validate_on_submit():
        result = attempt(
            lambda: operations.record_outcome(current_user, defendant, note=form.note.data or "", **form.values()), form
        )
        error = result.error or result.message
        if result.ok:
            flash("Outcome recorded. The witnesses will be told; their protection plans are due for revision.",
                  "success")
            return redirect(url_for("outcomes.case_outcomes", case_id=case.id))
    return _form_page(form, f"Record the outcome for {defendant.name}", case, error)


def _load_outcome(outcome_id: int) -> Outcome:
    outcome = db.session.get(Outcome, outcome_id)
    if outcome is None or not can_view_case(current_user, outcome.case):
        abort(404)
    return outcome


@bp.route("/<int:outcome_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.OUTCOME_RECORD)
def edit(outcome_id: int) -> str | Response:
    outcome = _load_outcome(outcome_id)
    mark_sensitive()
    form, error = OutcomeForm(obj=outcome), None
    form.show_stored(outcome.sentence_kind)
    form.set_witnesses(_case_witnesses(outcome.case_id))
    if form.validate_on_submit():
        result = attempt(
            lambda: operations.update_outcome(current_user, outcome, note=form.note.data or "", **form.values()), form
        )
        if result.ok:
            flash("Outcome changed; the change is kept in its history.", "success")
            return redirect(url_for("outcomes.case_outcomes", case_id=outcome.case_id))
        error = result.error or result.message
    return _form_page(form, f"Change the outcome for {outcome.defendant.name}", outcome.case, error)


@bp.route("/<int:outcome_id>/custody", methods=["GET", "POST"])
@permission_required(Permission.OUTCOME_RECORD)
@submitted_once
def custody(outcome_id: int) -> str | Response:
    outcome = _load_outcome(outcome_id)
    mark_sensitive()
    form, error = CustodyForm(), None
    if form.validate_on_submit():
        result = attempt(lambda: operations.record_custody_change(
            current_user, outcome, form.custody.data, on=form.on.data, note=form.note.data or ""), form)
        if result.ok:
            flash("Custody change recorded.", "success")
            return redirect(url_for("outcomes.case_outcomes", case_id=outcome.case_id))
        error = result.error or result.message
    return _form_page(form, f"Custody change for {outcome.defendant.name}", outcome.case, error)


@bp.route("/case/<int:case_id>/statement/<int:witness_id>", methods=["GET", "POST"])
@permission_required(Permission.OUTCOME_RECORD)
@submitted_once
def statement(case_id: int, witness_id: int) -> str | Response:
    case = get_or_404(Case, case_id, can_view_case)
    witness = db.session.get(Witness, witness_id)
    if witness is None or not can_view_witness(current_user, witness):
        abort(404)
    mark_sensitive()
    existing = db.session.execute(sa.select(ImpactStatement).where(
        ImpactStatement.case_id == case.id, ImpactStatement.witness_id == witness.id)).scalar_one_or_none()
    form, error = ImpactStatementForm(obj=existing), None
    if form.validate_on_submit():
        result = attempt(lambda: operations.record_impact_statement(
            current_user, witness, case, status=form.status.data, sentencing_date=form.sentencing_date.data,
            due_date=form.due_date.data, text=form.text.data,
        ), form)
        error = result.error or result.message
        if result.ok:
            saved = result.value
            if saved.sentence_opinion_warnings:
                flash("The statement seems to give an opinion on the sentence, which the court will not accept: "
                      + "; ".join(f"“{w}”" for w in saved.sentence_opinion_warnings[:3]), "error")
            else:
                flash("Victim impact statement saved.", "success")
            return redirect(url_for("outcomes.case_outcomes", case_id=case.id))
    return _form_page(form, f"Victim impact statement of {witness.reference}", case, error)
