"""Task pages: the list (mine, my team's, overdue, done), writing a task, and a task's page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..access import can_view_case, can_view_witness
from ..auth.models import User
from ..cases.models import Case
from ..errors import OperationError
from ..extensions import db
from ..forms import apply_errors, attempt, submitted_once
from ..permissions import Permission
from ..web import get_or_404, id_arg, permission_required, redirect_next
from ..witnesses.models import Witness
from . import operations, queries
from .forms import CommentForm, DoneForm, ReassignForm, TaskFilterForm, TaskForm
from .models import Task

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _people_choices(task: Task) -> dict[int, str]:
    return {u.id: f"{u.display_name or u.email} ({u.role.replace('_', ' ')})"
            for u in queries.assignable_people(task.witness_id, task.case_id)}


def _load_task(task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    if task is None or not queries.may_see_task(current_user, task):
        abort(404)
    return task


@bp.route("/")
@permission_required(Permission.WITNESS_VIEW)
def index() -> str:
    form = TaskFilterForm(request.args)
    kinds = db.session.execute(sa.select(Task.kind).distinct().order_by(Task.kind)).scalars().all()
    form.kind.choices = {"": "Any kind", **{k: k.replace("_", " ").capitalize() for k in kinds}}
    view = form.view.data if form.view.data in queries.VIEWS else "mine"
    assignee_id = id_arg(request.args.get("assignee"))
    assignee = db.session.get(User, assignee_id) if assignee_id is not None else None
    if assignee_id is not None and assignee is None:
        abort(404)
    filters = queries.TaskFilters(view=view, kind=form.kind.data or None,
                                  witness_id=id_arg(request.args.get("witness")), assignee_id=assignee_id)
    tasks = queries.list_tasks(current_user, filters)
    return render_template("tasks/index.html", tasks=tasks, form=form, view=view, assignee=assignee)


@bp.route("/new", methods=["GET", "POST"])
@permission_required(Permission.WITNESS_VIEW)
@submitted_once
def new() -> str | Response:
    """A task on a witness (?witness=id) or a case (?case=id) the writer may see."""
    witness_id, case_id = id_arg(request.args.get("witness")), id_arg(request.args.get("case"))
    if witness_id is not None:
        subject = get_or_404(Witness, witness_id, can_view_witness)
        label, back = subject.reference, url_for("witnesses.show", witness_id=witness_id)
    elif case_id is not None:
        subject = get_or_404(Case, case_id, can_view_case)
        label, back = subject.reference, url_for("cases.show", case_id=case_id)
    else:
        flash("Open the witness or case the task is about, then choose Write a task.", "info")
        return redirect(url_for("witnesses.index"))
    form = TaskForm()
    form.assignee_id.choices = _people_choices(Task(witness_id=witness_id, case_id=case_id))
    if request.method == "GET":
        form.assignee_id.data = current_user.id
    error = None
    if form.validate_on_submit():
        try:
            task = operations.write_task(
                current_user, title=form.title.data, assignee=db.session.get(User, form.assignee_id.data),
                due_on=form.due_on.data, witness_id=witness_id, case_id=case_id, urgent=form.urgent.data,
            )
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            error = apply_errors(form, exc)
        else:
            flash("Task written.", "success")
            return redirect(url_for("tasks.show", task_id=task.id))
    return render_template("tasks/form.html", form=form, label=label, back=back, error=error)


@bp.route("/<int:task_id>")
@permission_required(Permission.WITNESS_VIEW)
def show(task_id: int) -> str:
    task = _load_task(task_id)
    reassign = ReassignForm(assignee_id=task.assignee_id)
    reassign.assignee_id.choices = _people_choices(task)
    return render_template(
        "tasks/show.html", task=task, reassign_form=reassign, comment_form=CommentForm(), done_form=DoneForm(),
        may_complete=operations.may_complete(current_user, task),
    )


@bp.route("/<int:task_id>/reassign", methods=["POST"])
@permission_required(Permission.WITNESS_VIEW)
def reassign(task_id: int) -> Response:
    task = _load_task(task_id)
    form = ReassignForm()
    form.assignee_id.choices = _people_choices(task)
    if not form.validate_on_submit():
        flash("Choose someone who may see this witness or case.", "error")
        return redirect(url_for("tasks.show", task_id=task.id))
    try:
        operations.reassign_task(current_user, task, db.session.get(User, form.assignee_id.data))
        db.session.commit()
        flash("Task reassigned.", "success")
    except OperationError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for("tasks.show", task_id=task.id))


@bp.route("/<int:task_id>/comments", methods=["POST"])
@permission_required(Permission.WITNESS_VIEW)
def comment(task_id: int) -> Response:
    task = _load_task(task_id)
    form = CommentForm()
    try:
        operations.comment_on_task(current_user, task, form.body.data or "")
        db.session.commit()
        flash("Comment added.", "success")
    except OperationError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for("tasks.show", task_id=task.id, _anchor="comments"))


@bp.route("/<int:task_id>/done", methods=["POST"])
@login_required
def done(task_id: int) -> Response:
    task = _load_task(task_id)
    result = attempt(lambda: operations.complete_task(current_user, task, request.form.get("note", "")))
    flash("Task done." if result.ok else result.message, "success" if result.ok else "error")
    return redirect_next(request.form.get("next"), url_for("main.home"))
