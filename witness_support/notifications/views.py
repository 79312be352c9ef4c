"""The officer's queue: letters to print and notices to give in person, and marking them delivered."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from .. import audit
from ..access import can_view_witness, sees, visible_groups, visible_witness_ids
from ..auth.models import User
from ..db import utc_now
from ..extensions import db
from ..forms import attempt, run_action
from ..permissions import FieldGroup, Permission
from ..web import id_arg, mark_sensitive, permission_required
from ..witnesses.models import Witness
from . import operations
from .forms import PreferencesForm
from .models import Channel, Notification, Status

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def _load(notice_id: int) -> Notification:
    notice = db.session.get(Notification, notice_id)
    if notice is None or not can_view_witness(current_user, db.session.get(Witness, notice.witness_id)):
        abort(404)
    return notice


@bp.route("/queue")
@permission_required(Permission.NOTIFICATION_MANAGE)
def queue() -> str:
    mark_sensitive()
    visible = visible_witness_ids(current_user).scalar_subquery()
    waiting = db.session.execute(
        sa.select(Notification)
        .where(Notification.witness_id.in_(visible), Notification.status == Status.AWAITING_OFFICER)
        .order_by(Notification.deadline_at, Notification.id)
        .options(selectinload(Notification.witness))
        .limit(200)
    ).scalars().all()
    letters = [n for n in waiting if n.channel == Channel.LETTER]
    visits = [n for n in waiting if n.channel != Channel.LETTER]
    return render_template("notifications/queue.html", letters=letters, visits=visits)


UNDELIVERED_LIMIT = 200


@bp.route("/undelivered")
@permission_required(Permission.NOTIFICATION_VIEW)
def undelivered() -> str:
    """Notices that failed or are past their deadline, of the witnesses the user sees; with
    ?officer=id, of that liaison officer's witnesses (the supervisor's page links here)."""
    mark_sensitive()
    officer_id = id_arg(request.args.get("officer"))
    officer = db.session.get(User, officer_id) if officer_id is not None else None
    if officer_id is not None and officer is None:
        abort(404)
    notices = operations.undelivered_for(current_user, utc_now(), limit=UNDELIVERED_LIMIT + 1, officer_id=officer_id)
    return render_template("notifications/undelivered.html", notices=notices[:UNDELIVERED_LIMIT],
                           more=len(notices) > UNDELIVERED_LIMIT, officer=officer, now=utc_now())


@bp.route("/<int:notice_id>/letter")
@permission_required(Permission.NOTIFICATION_MANAGE)
def letter(notice_id: int) -> str:
    notice = _load(notice_id)
    if notice.channel != Channel.LETTER or notice.body is None:
        abort(404)
    witness = db.session.get(Witness, notice.witness_id)
    # The postal address says where the witness lives: only with the location group, audited.
    if not sees(current_user, witness, FieldGroup.LOCATION):
        abort(404)
    mark_sensitive()
    pref = operations.preferences_for(witness)
    audit.record("notification.letter_view", notice, actor=current_user)
    db.session.commit()
    return render_template("notifications/letter.html", notice=notice, pref=pref)


@bp.route("/<int:notice_id>/delivered", methods=["POST"])
@permission_required(Permission.NOTIFICATION_MANAGE)
def delivered(notice_id: int) -> Response:
    notice = _load(notice_id)
    return run_action(lambda: operations.mark_delivered(current_user, notice), "Marked as delivered.",
                      url_for("notifications.queue"))


@bp.route("/witness/<int:witness_id>/preferences", methods=["GET", "POST"])
@permission_required(Permission.NOTIFICATION_MANAGE)
def preferences(witness_id: int) -> str | Response:
    witness = db.session.get(Witness, witness_id)
    # Safe addresses and numbers are contact data (the postal address, location: the form has both).
    if witness is None or not {FieldGroup.CONTACT, FieldGroup.LOCATION} <= visible_groups(current_user, witness):
        abort(404)
    mark_sensitive()
    pref = operations.preferences_for(witness)
    form, error = PreferencesForm(obj=pref), None
    if form.validate_on_submit():
        data = {name: form[name].data for name in operations.PREFERENCE_FIELDS}
        result = attempt(lambda: operations.set_preferences(current_user, witness, **data), form)
        if result.ok:
            flash(f"Notice preferences of {witness.reference} saved.", "success")
            return redirect(url_for("witnesses.show", witness_id=witness.id))
        error = result.error or result.message
    notices = db.session.execute(
        sa.select(Notification).where(Notification.witness_id == witness.id).order_by(Notification.id.desc()).limit(50)
    ).scalars().all()
    return render_template("notifications/preferences.html", form=form, witness=witness, error=error,
                           notices=notices)
