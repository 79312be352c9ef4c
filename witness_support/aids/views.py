"""Web pages for testimonial aids: a witness's aids, recording one as needed, and changing its status."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..access import can_view_witness
from ..cases.models import Case
from ..extensions import db
from ..forms import attempt, run_operation, submitted_once
from ..permissions import Permission, has_permission
from ..web import get_or_404, mark_sensitive, permission_required
from ..witnesses.models import Witness
from . import operations
from .forms import AidForm, AidStatusForm
from .models import TestimonialAid
from .queries import can_view_aids, case_choices, witness_aids

bp = Blueprint("aids", __name__)


@bp.route("/witnesses/<int:witness_id>/aids", methods=["GET", "POST"])
@permission_required(Permission.AID_VIEW)
@submitted_once
def for_witness(witness_id: int) -> tuple[str, int] | Response:
    witness = get_or_404(Witness, witness_id, can_view_aids)
    mark_sensitive()
    form = AidForm()
    form.case_id.choices = case_choices(witness)
    error = None
    if request.method == "POST":
        if not has_permission(current_user, Permission.AID_MANAGE):
            abort(404)
        if form.validate_on_submit():
            result = run_operation(
                form,
                lambda: operations.propose_aid(current_user, witness, db.session.get(Case, form.case_id.data),
                                               form.kind.data, form.note.data or ""),
                "Aid recorded as needed.",
                url_for("aids.for_witness", witness_id=witness.id),
            )
            if isinstance(result, Response):
                return result
            error = result
    return _aids_page(witness, form, error)


def _aids_page(witness: Witness, form: AidForm, error: str | None = None, status_form: AidStatusForm | None = None,
               status_aid_id: int | None = None, status_error: str | None = None) -> tuple[str, int]:
    """The aids page; a status change that failed comes back with what was typed and why it failed."""
    failed = bool(error or status_error)
    return render_template("aids/witness.html", witness=witness, aids=witness_aids(witness), form=form, error=error,
                           status_form=status_form or AidStatusForm(formdata=None), status_aid_id=status_aid_id,
                           status_error=status_error,
                           can_manage=has_permission(current_user, Permission.AID_MANAGE)), (422 if failed else 200)


@bp.route("/aids/<int:aid_id>/status", methods=["POST"])
@permission_required(Permission.AID_MANAGE)
def change_status(aid_id: int) -> Response | tuple[str, int]:
    aid = get_or_404(TestimonialAid, aid_id)
    if not can_view_witness(current_user, aid.witness):
        abort(404)
    mark_sensitive()
    form = AidStatusForm()
    if not form.validate_on_submit():
        message = "Choose a status and a valid date."
    else:
        result = attempt(lambda: operations.change_aid_status(
            current_user, aid, form.status.data, on=form.on.data, order_reference=form.order_reference.data or None,
            note=form.note.data or ""))
        message = result.error
        if result.ok:
            flash(f"Aid is now {aid.status}.", "success")
            return redirect(url_for("aids.for_witness", witness_id=aid.witness_id, _anchor=f"aid-{aid.id}"))
    # Back to the page with the change as typed, the reason by it and at the top.
    new_form = AidForm(formdata=None)
    new_form.case_id.choices = case_choices(aid.witness)
    return _aids_page(aid.witness, new_form, status_form=form, status_aid_id=aid.id, status_error=message)
