"""Marking a task done."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..extensions import db
from ..forms import attempt
from ..web import redirect_next
from . import operations
from .models import Task

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.route("/<int:task_id>/done", methods=["POST"])
@login_required
def done(task_id: int) -> Response:
    task = db.session.get(Task, task_id)
    if task is None or task.assignee_id != current_user.id:
        abort(404)
    result = attempt(lambda: operations.complete_task(current_user, task, request.form.get("note", "")))
    flash("Task done." if result.ok else result.message, "success" if result.ok else "error")
    return redirect_next(request.form.get("next"), url_for("main.home"))
