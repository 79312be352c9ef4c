"""Signing in (password, then a TOTP or recovery code; enrolment first when none is set up),
signing out, changing a password, and the invitation and reset links."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import segno
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..extensions import db, limiter, login_manager
from ..forms import attempt
from ..links import PublicAddressMissing
from ..mail import commit_and_send
from ..web import redirect_next, safe_next
from . import operations
from .forms import (
    ApiTokenForm,
    ChangePasswordForm,
    CodeForm,
    EnrolForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
)
from .models import User, hash_token

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"

# The same words for every refusal, so that nobody learns whether an account exists or is locked.
LOGIN_FAILED = (
    "That email and password do not match an active account. After 5 failed attempts an account is "
    "locked until an administrator unlocks it."
)
CODE_FAILED = "That code is not valid. Each code works only once."
PENDING_MINUTES = 10  # how long the step between password and code may take
SESSION_KEY = "sid"
PENDING_KEY = "pending_login"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session cookie carries the user's session version and a server-side session id;
    a bumped version, an ended record or a timeout all end the session."""
    return operations.session_user(user_id, session.get(SESSION_KEY))


@login_manager.request_loader
def load_user_from_token(req) -> User | None:  # noqa: ANN001 - flask.Request
    auth = req.authorization
    if auth is None or auth.type != "bearer" or not auth.token or not req.path.startswith("/api/"):
        return None
    token, problem = operations.check_api_token(auth.token)
    if problem is not None:
        g.api_token_problem = problem  # the API answers 401 saying why (api.authenticate)
        return None
    g.auth_via_token = True
    return token.user


@bp.before_app_request
def _load_user_first() -> None:
    """Load the user before any view runs: the session check commits its own bookkeeping,
    which must never carry a view's half-done changes with it."""
    # A fresh decision per request, even when an app context (and its g) outlives one request,
    # as it does in tests and CLI-driven code.
    g.pop("_login_user", None)
    g.pop("auth_via_token", None)
    g.pop("api_token_problem", None)
    if request.endpoint != "static":
        _ = current_user.is_authenticated


# ---- the two steps ------------------------------------------------------------------------------


def _begin_pending(user: User, step: str) -> None:
    session.clear()
    session[PENDING_KEY] = {
        "user": user.id, "version": user.session_version, "step": step,
        "at": operations.now().isoformat(), "next": safe_next(request.args.get("next")) or "",
    }


def _pending_user(step: str) -> tuple[User | None, dict[str, Any]]:
    pending = session.get(PENDING_KEY) or {}
    if pending.get("step") != step:
        return None, pending
    try:
        started = datetime.fromisoformat(pending["at"])
    except (KeyError, TypeError, ValueError):
        return None, pending
    if operations.now() - started > timedelta(minutes=PENDING_MINUTES):
        return None, pending
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or user.session_version != pending.get("version"):
        return None, pending
    return user, pending


def _complete_login(user: User, next_url: str | None) -> Response:
    """A brand-new Flask session with a new random id: nothing from before sign-in survives."""
    sid = operations.start_session(user, request.remote_addr, request.user_agent.string)
    db.session.commit()
    session.clear()
    session[SESSION_KEY] = sid
    login_user(user)
    return redirect_next(next_url, url_for("main.home"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = operations.check_password(form.email.data, form.password.data, request.remote_addr)
        if user is None:
            db.session.commit()
            error = LOGIN_FAILED
        elif operations.may_skip_mfa(user):
            return _complete_login(user, request.args.get("next"))
        elif user.mfa_enrolled:
            db.session.commit()
            _begin_pending(user, "code")
            return redirect(url_for("auth.login_code"))
        else:
            operations.begin_enrolment(user)  # the secret is made here, never on a GET
            db.session.commit()
            _begin_pending(user, "enrol")
            return redirect(url_for("auth.enrol"))
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login_code() -> str | Response:
    user, pending = _pending_user("code")
    if user is None:
        session.pop(PENDING_KEY, None)
        flash("Sign in again to continue.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        if operations.check_second_factor(user, form.code.data, request.remote_addr):
            return _complete_login(user, pending.get("next"))
        db.session.commit()
        error = CODE_FAILED
    return render_template("auth/code.html", form=form, error=error)


@bp.route("/mfa/enrol", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def enrol() -> str | Response:
    user, pending = _pending_user("enrol")
    if user is None:
        session.pop(PENDING_KEY, None)
        flash("Sign in again to continue.", "info")
        return redirect(url_for("auth.login"))
    if user.mfa_enrolled or not user.totp_secret:
        session.pop(PENDING_KEY, None)
        return redirect(url_for("auth.login"))
    form = EnrolForm()
    error = None
    if form.validate_on_submit():
        # A refused code keeps the secret (nothing else changed); the login completes the commit.
        result = attempt(lambda: operations.confirm_enrolment(user, form.code.data), form, commit=lambda: None,
                         keep_on_refusal=True)
        error = result.error
        if result.ok:
            codes = result.value
            _complete_login(user, None)
            # Shown once, on this response only; never stored in clear.
            return render_template("auth/recovery_codes.html", codes=codes,
                                   next_url=safe_next(pending.get("next")) or url_for("main.home"))
    uri = operations.provisioning_uri(user)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return render_template("auth/enrol.html", form=form, error=error, qr=qr, secret=user.totp_secret)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    operations.logout(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    form = ChangePasswordForm()
    error = None
    if form.validate_on_submit():
        result = attempt(
            lambda: operations.change_password(current_user, form.current_password.data, form.password.data), form
        )
        error = result.error
        if result.ok:
            logout_user()
            session.clear()
            flash("Your password is changed. Every session has ended; sign in again.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/change_password.html", form=form, error=error)


@bp.route("/account")
@login_required
def account() -> str:
    return render_template(
        "auth/account.html", sessions=operations.active_sessions(current_user),
        unused_codes=operations.unused_recovery_codes(current_user), form=EnrolForm(),
        current_sid_hash=hash_token(session.get(SESSION_KEY, "")),
    )


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere() -> Response:
    operations.sign_out_everywhere(current_user, current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("Every session of your account has ended, this one included.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@login_required
def api_tokens() -> str:
    """A person's own API tokens: list, create (the secret is shown once, on this response)."""
    form = ApiTokenForm()
    error = secret = None
    if form.validate_on_submit():
        result = attempt(lambda: operations.create_api_token(current_user, form.name.data, days=form.days.data), form)
        error = result.error
        if result.ok:
            _, secret = result.value
    return render_template(
        "auth/api_tokens.html", form=form, error=error, secret=secret, now=operations.now(),
        tokens=operations.api_tokens_of(current_user),
        default_days=current_app.config.get("API_TOKEN_DEFAULT_DAYS", 90),
    )


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_api_token(token_id: int) -> Response:
    token = operations.own_api_token(current_user, token_id)
    if token is None:
        abort(404)
    operations.revoke_api_token(current_user, token)
    db.session.commit()
    flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("auth.api_tokens"))


@bp.route("/account/recovery-codes", methods=["POST"])
@login_required
def new_recovery_codes() -> str | Response:
    form = EnrolForm()
    if form.validate_on_submit():
        result = attempt(lambda: operations.regenerate_recovery_codes(current_user, form.code.data))
        if result.ok:
            return render_template("auth/recovery_codes.html", codes=result.value, next_url=url_for("auth.account"))
        flash(result.summary, "error")
    return redirect(url_for("auth.account"))


# ---- links sent by email ------------------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def forgot_password() -> str | Response:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            operations.request_password_reset(form.email.data)
        except PublicAddressMissing as exc:
            # Said to everyone alike (it does not depend on the account), never a silent success.
            db.session.rollback()
            return render_template("auth/forgot.html", form=form, error=exc.message), exc.status
        commit_and_send()
        # The same answer whether or not the account exists.
        flash("If that email belongs to an active account, a link to reset the password is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


def _token_page(purpose: str, token: str) -> str | Response:
    if operations.valid_token(purpose, token) is None:
        return render_template("auth/link_invalid.html"), 404
    form = NewPasswordForm()
    error = None
    if form.validate_on_submit():
        result = attempt(lambda: operations.complete_with_token(purpose, token, form.password.data), form)
        error = result.error
        if result.ok:
            user = result.value
            if purpose == "invite" and not user.mfa_enrolled and not operations.may_skip_mfa(user):
                operations.begin_enrolment(user)
                db.session.commit()
                _begin_pending(user, "enrol")
                flash("Your password is set. Now set up your authenticator app.", "success")
                return redirect(url_for("auth.enrol"))
            logout_user()
            session.clear()
            flash("Your password is set. Sign in with it and your authenticator app.", "success")
            return redirect(url_for("auth.login"))
    title = "Choose your password" if purpose == "invite" else "Choose a new password"
    return render_template("auth/set_password.html", form=form, error=error, title=title)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str) -> str | Response:
    return _token_page("reset", token)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def accept_invitation(token: str) -> str | Response:
    return _token_page("invite", token)


@bp.app_context_processor
def demo_flag() -> dict[str, Any]:
    return {"demo_mode": bool(current_app.config.get("DEMO_MODE"))}
