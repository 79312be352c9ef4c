"""Admin pages: accounts (invite, roles, teams, disable, unlock, reset MFA, sessions) and the
audit trail with its CSV export. Admins see no witness identity here."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from .. import audit
from ..access import audit_details
from ..audit import AuditEvent
from ..auth import operations as auth_ops
from ..auth.models import ApiToken, Team, User
from ..extensions import db
from ..forms import attempt, run_action, run_operation
from ..handover import operations as handover_ops
from ..mail import OutgoingEmail, commit_and_send, last_batch, show_links
from ..permissions import Permission, Role
from ..web import get_or_404, id_arg, permission_required
from ..witnesses.models import Witness
from . import queries
from .forms import AuditFilterForm, HandoverForm, InviteForm, TeamForm, UserEditForm

bp = Blueprint("admin", __name__, url_prefix="/admin")

AUDIT_PAGE_LIMIT = 200
AUDIT_EXPORT_LIMIT = 100_000


def _all_teams() -> list[Team]:
    return list(db.session.execute(sa.select(Team).order_by(Team.name)).scalars())


def _teams_by_id(ids: list[int]) -> list[Team]:
    if not ids:
        return []
    return list(db.session.execute(sa.select(Team).where(Team.id.in_(ids))).scalars())


@bp.route("/users")
@permission_required(Permission.USER_MANAGE)
def users() -> str:
    accounts = db.session.execute(sa.select(User).order_by(User.email)).scalars().all()
    return render_template("admin/users.html", users=accounts)


@bp.route("/users/new", methods=["GET", "POST"])
@permission_required(Permission.USER_MANAGE)
def new_user() -> str | Response:
    """Invite a person: they choose their own password and set up MFA from the emailed link."""
    form = InviteForm()
    form.teams.choices = [SelectChoice(t.id, t.name) for t in _all_teams()]
    error = None
    if form.validate_on_submit():
        sent: list = []  # what commit_and_send could not deliver, for the message
        result = attempt(
            lambda: auth_ops.invite_user(
                current_user, form.email.data, role=form.role.data, display_name=form.display_name.data or "",
                teams=_teams_by_id(form.teams.data or []),
            ),
            form, commit=lambda: sent.append(commit_and_send()),
        )
        if result.ok:
            user = result.value
            _report_invitation(user, sent[0], f"Invitation sent to {user.email}.")
            return redirect(url_for("admin.edit_user", user_id=user.id))
        error = result.error
    return render_template("admin/user_form.html", form=form, error=error)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission_required(Permission.USER_MANAGE)
def edit_user(user_id: int) -> str | Response:
    user = get_or_404(User, user_id)
    form = UserEditForm(
        data={"role": user.role, "active": "1" if user.active else "0", "teams": [t.id for t in user.teams],
              "supervisor_id": user.supervisor_id or 0}
    )
    form.teams.choices = [SelectChoice(t.id, t.name) for t in _all_teams()]
    form.supervisor_id.choices = [SelectChoice(0, "No supervisor")] + [
        SelectChoice(u.id, f"{u.display_name} ({u.email})")
        for u in db.session.execute(
            sa.select(User)
            .where(User.id != user.id, User.active.is_(True), User.role != Role.ADMIN)
            .order_by(User.display_name)
        ).scalars()
    ]
    error = None
    if form.validate_on_submit():
        supervisor_id = form.supervisor_id.data
        supervisor = db.session.get(User, supervisor_id) if supervisor_id else None
        active = form.active.data == "1"

        def update() -> None:
            # Someone with open work is handed over before being disabled (the handover package's rule).
            if user.active and not active:
                handover_ops.refuse_disabling_with_open_work(user)
            auth_ops.update_account(current_user, user, role=form.role.data, active=active,
                                    teams=_teams_by_id(form.teams.data or []), supervisor=supervisor)

        result = run_operation(form, update, "Account updated.", url_for("admin.edit_user", user_id=user.id))
        if isinstance(result, Response):
            return result
        error = result
    return render_template(
        "admin/user_edit.html", form=form, user=user, error=error, sessions=auth_ops.active_sessions(user),
        open_work=handover_ops.open_work(user),
        undelivered=auth_ops.invitation_undelivered(user),
    )


@bp.route("/users/<int:user_id>/handover", methods=["GET", "POST"])
@permission_required(Permission.USER_MANAGE)
def handover(user_id: int) -> str | Response:
    """Hand a person's witnesses, cases and open tasks to one colleague or share them out."""
    user = get_or_404(User, user_id)
    form = HandoverForm()
    form.receivers.choices = [
        SelectChoice(u.id, f"{u.display_name} ({u.role.replace('_', ' ')})")
        for u in db.session.execute(
            sa.select(User).where(User.id != user.id, User.active.is_(True), User.role != Role.ADMIN)
            .order_by(User.display_name)
        ).scalars()
    ]
    error = None
    if form.validate_on_submit():
        receivers = list(db.session.execute(sa.select(User).where(User.id.in_(form.receivers.data))).scalars())
        result = run_operation(
            form, lambda: handover_ops.hand_over(current_user, user, receivers, form.reason.data or ""),
            lambda moved: f"Handed over {moved.witness_assignments} witness assignments, {moved.case_assignments} "
                          f"case assignments and {moved.open_tasks} open tasks.",
            url_for("admin.edit_user", user_id=user.id),
        )
        if isinstance(result, Response):
            return result
        error = result
    return render_template("admin/handover.html", form=form, user=user, error=error,
                           open_work=handover_ops.open_work(user))


def _report_invitation(user: User, undelivered: list[OutgoingEmail], done: str) -> None:
    """Say whether the invitation reached the mail server; in development, show its link too."""
    sent = [m for m in undelivered if m.to == user.email]
    if sent:
        auth_ops.record_undelivered_invitation(user)
        db.session.commit()
        flash(f"The invitation to {user.email} was not delivered: the mail server did not accept it. "
              "Send a new invitation from this page once mail works.", "error")
    else:
        flash(done, "success")
    link = next((m.link for m in last_batch() if m.to == user.email), "")
    if link and show_links():
        flash(f"Development: the invitation link is {link}", "info")


def _account_action(user_id: int, action: Any, done: str) -> Response:
    user = get_or_404(User, user_id)
    sent: list = []  # what commit_and_send could not deliver, for the message
    result = attempt(lambda: action(current_user, user), commit=lambda: sent.append(commit_and_send()))
    if not result.ok:
        flash(result.summary, "error")
    elif action is auth_ops.resend_invitation:
        _report_invitation(user, sent[0], done)
    else:
        flash(done, "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@permission_required(Permission.USER_MANAGE)
def unlock_user(user_id: int) -> Response:
    return _account_action(user_id, auth_ops.unlock_user, "Account unlocked.")


@bp.route("/users/<int:user_id>/reset-mfa", methods=["POST"])
@permission_required(Permission.USER_MANAGE)
def reset_mfa(user_id: int) -> Response:
    return _account_action(
        user_id, auth_ops.reset_mfa,
        "Authenticator reset. The person sets up a new one at their next sign-in; every session has ended.",
    )


@bp.route("/users/<int:user_id>/sign-out", methods=["POST"])
@permission_required(Permission.USER_MANAGE)
def sign_out_everywhere(user_id: int) -> Response:
    return _account_action(user_id, auth_ops.sign_out_everywhere, "Signed out everywhere.")


@bp.route("/users/<int:user_id>/resend-invitation", methods=["POST"])
@permission_required(Permission.USER_MANAGE)
def resend_invitation(user_id: int) -> Response:
    return _account_action(user_id, auth_ops.resend_invitation, "A new invitation is on its way.")


# ---- API tokens -----------------------------------------------------------------------------------


@bp.route("/api-tokens")
@permission_required(Permission.USER_MANAGE)
def api_tokens() -> str:
    return render_template("admin/api_tokens.html", tokens=auth_ops.all_api_tokens(), now=auth_ops.now())


def _token_action(token_id: int, action: Any, done: str) -> Response:
    token = get_or_404(ApiToken, token_id)
    return run_action(lambda: action(token), done, url_for("admin.api_tokens"))


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@permission_required(Permission.USER_MANAGE)
def revoke_api_token(token_id: int) -> Response:
    return _token_action(token_id, lambda token: auth_ops.revoke_api_token(current_user, token), "Token revoked.")


@bp.route("/api-tokens/<int:token_id>/service", methods=["POST"])
@permission_required(Permission.USER_MANAGE)
def set_service_token(token_id: int) -> Response:
    """Marks (service=1) or unmarks a token as a service token that survives security actions."""
    service = request.form.get("service") == "1"
    return _token_action(
        token_id, lambda token: auth_ops.set_service_token(current_user, token, service),
        "Marked as a service token." if service else "No longer a service token.",
    )


@bp.route("/teams", methods=["GET", "POST"])
@permission_required(Permission.USER_MANAGE)
def teams() -> str | Response:
    form = TeamForm()
    error = None
    if form.validate_on_submit():
        result = run_operation(form, lambda: auth_ops.create_team(current_user, form.name.data), "Team created.",
                               url_for("admin.teams"))
        if isinstance(result, Response):
            return result
        error = result
    return render_template("admin/teams.html", form=form, error=error, teams=_all_teams())


# ---- audit trail ----------------------------------------------------------------------------------


def _audit_query(form: AuditFilterForm) -> tuple[sa.Select, dict[str, str]]:
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    filters: dict[str, str] = {}
    reference = (form.witness.data or "").strip()
    if reference:
        witness_id = db.session.execute(
            sa.select(Witness.id).where(Witness.reference == reference)
        ).scalar_one_or_none()
        query = query.where(AuditEvent.witness_id == (witness_id or -1))
        filters["witness"] = reference
    user_email = auth_ops.normalise_email(form.user.data or "")
    if user_email:
        user_id = db.session.execute(sa.select(User.id).where(User.email == user_email)).scalar_one_or_none()
        # An admin asks "what did this person do, and what was done to their account".
        query = query.where(sa.or_(
            AuditEvent.actor_id == (user_id or -1),
            sa.and_(AuditEvent.object_type == "user", AuditEvent.object_id == (user_id or -1)),
        ))
        filters["user"] = user_email
    action = (form.action.data or "").strip()
    if action:
        query = query.where(queries.action_filter(action))
        filters["action"] = action
    if form.date_from.data:
        query = query.where(AuditEvent.at >= datetime.combine(form.date_from.data, time(), UTC))
        filters["date_from"] = form.date_from.data.isoformat()
    if form.date_to.data:
        end = datetime.combine(form.date_to.data, time(), UTC) + timedelta(days=1)
        query = query.where(AuditEvent.at < end)
        filters["date_to"] = form.date_to.data.isoformat()
    return query, filters


def _audit_filter_form() -> AuditFilterForm:
    """The filter, its action chosen from the actions on the trail (and their families)."""
    form = AuditFilterForm(request.args)
    actions = queries.existing_actions()
    chosen = (request.args.get("action") or "").strip()
    form.action.choices = [
        SelectChoice("", "Any action"),
        *(SelectChoice(f"{prefix}.*", f"Every {prefix}.… action") for prefix in queries.action_prefixes(actions)),
        *(SelectChoice(name, name) for name in actions),
    ]
    if chosen and chosen not in {c.value for c in form.action.choices}:
        # A link to an action that no event has (yet): shown as chosen, and it finds nothing.
        form.action.choices.append(SelectChoice(chosen, chosen))
    return form


@bp.route("/audit")
@permission_required(Permission.AUDIT_VIEW)
def audit_trail() -> str | tuple[str, int]:
    """The trail, newest first, a page of AUDIT_PAGE_LIMIT events at a time (keyset paging on the
    id); repeated reads of one subject by one person are one entry with a count."""
    form = _audit_filter_form()
    if request.args and not form.validate():
        return render_template("admin/audit.html", form=form, entries=[], filters={}), 400
    query, filters = _audit_query(form)
    before = id_arg(request.args.get("before"))  # keyset paging: events older than this id
    if before is not None:
        query = query.where(AuditEvent.id < before)
    rows = queries.page_rows(query, AUDIT_PAGE_LIMIT + 1)
    older = rows[AUDIT_PAGE_LIMIT - 1].event.id if len(rows) > AUDIT_PAGE_LIMIT else None
    entries = queries.fold_repeats(rows[:AUDIT_PAGE_LIMIT])
    # Reading the trail is itself on the trail.
    audit.record("audit.view", object_type="audit", details=filters)
    db.session.commit()
    return render_template(
        "admin/audit.html", form=form, entries=entries, filters=filters, older=older, newer=before is not None,
        window_minutes=int(queries.REPEAT_WINDOW.total_seconds() // 60),
    )


def _csv_cell(value: Any) -> str:
    """Defuse spreadsheet formulas: a cell that starts like one is kept as text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.route("/audit.csv")
@permission_required(Permission.AUDIT_VIEW)
def audit_export() -> Response:
    """Every matching event, one row each (nothing folded), with the subject by its reference."""
    form = _audit_filter_form()
    if request.args and not form.validate():
        return Response("Invalid filter.\n", status=400, mimetype="text/plain")
    query, filters = _audit_query(form)
    rows = queries.page_rows(query, AUDIT_EXPORT_LIMIT)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["at_utc", "actor", "action", "object_type", "object_id", "witness", "ip", "details", "subject"])
    details = audit_details(current_user, [row.event for row in rows])
    for row in rows:
        e = row.event
        writer.writerow([_csv_cell(v) for v in (
            e.at.isoformat(), row.actor or "", e.action, e.object_type, e.object_id,
            row.witness or "", e.ip, json.dumps(details[e.id], sort_keys=True), row.subject,
        )])
    audit.record("audit.export", object_type="audit", details={**filters, "rows": len(rows)})
    db.session.commit()
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=audit-trail.csv"
    return response
