"""The supervisor's page: for each person they supervise, the caseload and what is overdue, each
number a link to the list behind it."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from ..db import today_utc, utc_now
from ..permissions import Permission, Role
from ..web import mark_sensitive, permission_required
from . import queries

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


@bp.route("/")
@permission_required(Permission.WITNESS_LIST)
def index() -> str:
    """404 for anyone who supervises nobody, as for any page that is not theirs."""
    team = queries.supervised(current_user)
    if not team:
        abort(404)
    mark_sensitive()
    numbers = queries.overview(current_user, team, today=today_utc(), now=utc_now())
    return render_template("supervision/index.html", overview=numbers, officer_role=Role.LIAISON_OFFICER)
