"""Web pages: a witness's protection plan with every revision, and the form for the next one."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..access import can_view_witness, sees
from ..db import today_utc
from ..forms import form_page, submitted_once
from ..permissions import FieldGroup, Permission
from ..web import get_or_404, id_arg, mark_sensitive, permission_required
from ..witnesses.models import Witness
from . import operations, queries
from .forms import MEASURE_ROWS, RevisionForm

bp = Blueprint("protection", __name__)


def _load(witness_id: int, *groups: FieldGroup) -> Witness:
    """The witness, or 404 when it is hidden or the plan's groups are not the reader's."""
    witness = get_or_404(Witness, witness_id, can_view_witness)
    if not all(sees(current_user, witness, group) for group in groups):
        abort(404)
    return witness


@bp.route("/witnesses/<int:witness_id>/protection-plan")
@permission_required(Permission.WITNESS_VIEW)  # the plan's field groups decide, as on the witness page
def show(witness_id: int) -> str:
    witness = _load(witness_id, FieldGroup.RISK_DETAIL)
    mark_sensitive()
    plan = queries.plan_for(witness.id)
    return render_template("protection/show.html", witness=witness, plan=plan,
                           tasks=queries.open_plan_tasks(witness.id), today=today_utc())


@bp.route("/witnesses/<int:witness_id>/protection-plan/revise", methods=["GET", "POST"])
@permission_required(Permission.RISK_CREATE)
@submitted_once
def revise(witness_id: int) -> str | Response:
    # Revising shows every measure, relocation included: risk detail and location both.
    witness = _load(witness_id, FieldGroup.RISK_DETAIL, FieldGroup.LOCATION)
    mark_sensitive()
    plan = queries.plan_for(witness.id)
    current = plan.current if plan else None
    form = RevisionForm()
    form.risk_assessment_id.choices = {
        a.id: f"{a.assessed_on.isoformat()}: {a.level} ({a.stage.replace('_', '-')} stage)"
        for a in witness.risk_assessments
    }
    tasks = queries.open_plan_tasks(witness.id)
    form.task_id.choices = {0: "—"} | {t.id: t.title for t in tasks if t.assignee_id == current_user.id}
    if request.method == "GET":
        form.task_id.data = id_arg(request.args.get("task")) or 0
        if witness.risk_assessments:
            form.risk_assessment_id.data = witness.risk_assessments[0].id
        if current is not None:
            form.summary.data = ""
            for row, measure in zip(form.measures, current.measures[:MEASURE_ROWS], strict=False):
                row.kind.data, row.text.data, row.responsible.data = measure.kind, measure.text, measure.responsible
    return form_page(
        form,
        lambda: operations.revise_plan(
            current_user, witness, measures=form.measure_rows(), review_on=form.review_on.data,
            risk_assessment_id=form.risk_assessment_id.data or None, summary=form.summary.data or "",
            task_id=form.task_id.data or None,
        ),
        "Protection plan revision saved.",
        url_for("protection.show", witness_id=witness.id),
        "protection/revise.html",
        witness=witness,
        current=current,
    )
