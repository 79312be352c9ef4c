"""Break-glass pages: open a witness by reference and reason, a grant's page and its review, and
the witness's "no break-glass" flag."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..access import can_view_witness
from ..db import utc_now
from ..errors import OperationError
from ..extensions import db
from ..forms import apply_errors, submitted_once
from ..permissions import BREAK_GLASS_GROUPS, Permission, has_permission
from ..web import get_or_404, mark_sensitive, permission_required
from ..witnesses.models import Witness
from . import operations
from .forms import BreakGlassForm, NoBreakGlassForm, ReviewForm
from .models import BreakGlassGrant

bp = Blueprint("breakglass", __name__, url_prefix="/break-glass")


# Open to every role that reads witnesses, so that a role which may not break glass is told so
# (and the attempt audited) instead of meeting a page that is not there.
@bp.route("/", methods=["GET", "POST"])
@permission_required(Permission.WITNESS_VIEW)
@submitted_once
def index() -> str | Response:
    mark_sensitive()
    form = BreakGlassForm()
    error = None
    if form.validate_on_submit():
        try:
            grant = operations.open_break_glass(current_user, form.reference.data, form.reason.data)
            db.session.commit()
        except operations.BreakGlassRefused as exc:
            db.session.commit()  # the refused attempt's audit event, and nothing else
            error = apply_errors(form, exc) or exc.message
        except OperationError as exc:
            db.session.rollback()
            error = apply_errors(form, exc)
        else:
            flash(f"{grant.witness.reference} is open to you until {grant.until:%H:%M} UTC. "
                  "The witness's officer and a supervisor have been told.", "success")
            return redirect(url_for("witnesses.show", witness_id=grant.witness_id))
    return render_template(
        "breakglass/index.html", form=form, error=error,
        may_use=has_permission(current_user, Permission.BREAK_GLASS_USE),
        grants=operations.grants_of(current_user), reviews=operations.reviews_for(current_user),
        hours=current_app.config["BREAK_GLASS_HOURS"], groups=sorted(str(g) for g in BREAK_GLASS_GROUPS),
    )


@bp.route("/<int:grant_id>", methods=["GET", "POST"])
@permission_required(Permission.WITNESS_VIEW)
def show(grant_id: int) -> str | Response:
    grant = get_or_404(BreakGlassGrant, grant_id, operations.can_view_grant)
    mark_sensitive()
    form = ReviewForm()
    error = None
    if form.validate_on_submit():
        try:
            operations.review_break_glass(current_user, grant, form.note.data or "")
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            error = apply_errors(form, exc)
        else:
            flash("Review recorded.", "success")
            return redirect(url_for("breakglass.show", grant_id=grant.id))
    return render_template("breakglass/show.html", grant=grant, form=form, error=error, now=utc_now(),
                           may_review=grant.reviewer_id == current_user.id and grant.reviewed_at is None,
                           witness_link=can_view_witness(current_user, grant.witness))


@bp.route("/witness/<int:witness_id>", methods=["POST"])
@permission_required(Permission.BREAK_GLASS_REFUSE)
def flag(witness_id: int) -> Response:
    witness = get_or_404(Witness, witness_id, can_view_witness)
    form = NoBreakGlassForm()
    try:
        changed = operations.set_no_break_glass(current_user, witness, bool(form.no_break_glass.data))
        db.session.commit()
    except OperationError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        flash(next(iter(exc.field_errors.values()), exc.message), "error")
    else:
        if changed:
            flash("Closed to break-glass." if witness.no_break_glass else "Open to break-glass again.", "success")
    return redirect(url_for("witnesses.show", witness_id=witness.id, _anchor="break-glass"))
