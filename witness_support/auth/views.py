"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from .. import audit
from ..extensions import db, limiter, login_manager
from ..web import is_safe_next
from . import operations
from .forms import LoginForm
from .models import User

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Session ids carry the user's session version; bumping it ends every session at once."""
    try:
        raw_id, version = user_id.split(":", 1)
        user = db.session.get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


@login_manager.request_loader
def load_user_from_token(req) -> User | None:  # noqa: ANN001 - flask.Request
    auth = req.authorization
    if auth is None or auth.type != "bearer" or not auth.token or not req.path.startswith("/api/"):
        return None
    user = operations.user_for_api_token(auth.token)
    if user is not None:
        g.auth_via_token = True
    return user


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = operations.authenticate(form.email.data, form.password.data)
        if user is None:
            # One answer for an unknown email and a wrong password.
            error = "That email and password do not match an active account."
            audit.record("auth.login_failed", object_type="user", details={})
            db.session.commit()
        else:
            login_user(user)
            audit.record("auth.login", user, actor=user)
            db.session.commit()
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("main.home"))
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    audit.record("auth.logout", current_user, actor=current_user)
    db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
