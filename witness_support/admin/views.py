"""Admin pages: accounts and the audit trail. Admins see no witness identity here."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import audit
from ..audit import AuditEvent
from ..auth import operations as auth_ops
from ..auth.models import User
from ..errors import OperationError
from ..extensions import db
from ..forms import apply_errors
from ..permissions import Permission, Role
from ..web import get_or_404, permission_required
from ..witnesses.models import Witness
from .forms import UserEditForm, UserForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@permission_required(Permission.USER_MANAGE)
def users() -> str:
    accounts = db.session.execute(sa.select(User).order_by(User.email)).scalars().all()
    return render_template("admin/users.html", users=accounts)


@bp.route("/users/new", methods=["GET", "POST"])
@permission_required(Permission.USER_MANAGE)
def new_user() -> str | Response:
    form = UserForm()
    error = None
    if form.validate_on_submit():
        try:
            user = auth_ops.create_user(
                form.email.data,
                role=form.role.data,
                password=form.password.data,
                display_name=form.display_name.data or "",
                actor=current_user,
            )
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            error = apply_errors(form, exc)
        else:
            flash(f"Account created for {user.email}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, error=error)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission_required(Permission.USER_MANAGE)
def edit_user(user_id: int) -> str | Response:
    user = get_or_404(User, user_id)
    form = UserEditForm(
        data={"role": user.role, "active": "1" if user.active else "0", "supervisor_id": user.supervisor_id or 0}
    )
    form.supervisor_id.choices = {0: "No supervisor"} | {
        u.id: f"{u.display_name} ({u.email})"
        for u in db.session.execute(
            sa.select(User)
            .where(User.id != user.id, User.active.is_(True), User.role != Role.ADMIN)
            .order_by(User.display_name)
        ).scalars()
    }
    error = None
    if form.validate_on_submit():
        try:
            auth_ops.set_role(current_user, user, form.role.data)
            auth_ops.set_active(current_user, user, form.active.data == "1")
            supervisor_id = form.supervisor_id.data
            auth_ops.set_supervisor(current_user, user, db.session.get(User, supervisor_id) if supervisor_id else None)
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            error = apply_errors(form, exc)
        else:
            flash("Account updated.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_edit.html", form=form, user=user, error=error)


@bp.route("/audit")
@permission_required(Permission.AUDIT_VIEW)
def audit_trail() -> str:
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(200)
    filters = {}
    reference = (request.args.get("witness") or "").strip()
    if reference:
        witness_id = db.session.execute(
            sa.select(Witness.id).where(Witness.reference == reference)
        ).scalar_one_or_none()
        query = query.where(AuditEvent.witness_id == (witness_id or -1))
        filters["witness"] = reference
    user_email = (request.args.get("user") or "").strip().lower()
    if user_email:
        user_id = db.session.execute(sa.select(User.id).where(User.email == user_email)).scalar_one_or_none()
        query = query.where(AuditEvent.actor_id == (user_id or -1))
        filters["user"] = user_email
    action = (request.args.get("action") or "").strip()
    if action:
        if len(action) > 80:
            abort(400)
        query = query.where(AuditEvent.action == action)
        filters["action"] = action
    events = db.session.execute(query).scalars().all()
    references = dict(
        db.session.execute(
            sa.select(Witness.id, Witness.reference).where(
                Witness.id.in_({e.witness_id for e in events if e.witness_id})
            )
        ).all()
    )
    actors = dict(
        db.session.execute(
            sa.select(User.id, User.email).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
        ).all()
    )
    # Reading the trail is itself on the trail.
    audit.record("audit.view", object_type="audit", details=filters)
    db.session.commit()
    return render_template(
        "admin/audit.html", events=events, references=references, actors=actors, filters=filters
    )
