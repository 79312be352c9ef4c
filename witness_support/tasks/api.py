"""API routes for tasks: the lists (mine, my team's, overdue, done) in pages, writing, reassigning,
commenting on and completing a task, and the people a task or an assignment may go to (so that
an integrator learns the `user_id` those requests need)."""

from __future__ import annotations

from flask import Response, request
from flask_login import current_user

from ..access import can_view_case, can_view_witness, load_visible
from ..api import body, bp, query_int, reply, require
from ..api.openapi import Op, add_paths, id_param
from ..auth.models import User
from ..auth.queries import staff_page
from ..cases.models import Case
from ..db import utc_now
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import Permission, Role, has_permission
from ..witnesses.models import Witness
from . import operations, queries, schemas
from .models import Task

PAGE_MAX = 200


def _limit() -> int:
    limit = query_int("limit", 50)
    if not 1 <= limit <= PAGE_MAX:
        raise ValidationFailed({"limit": f"Give a limit between 1 and {PAGE_MAX}."})
    return limit


def _load(task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    if task is None or not queries.may_see_task(current_user, task):
        raise NotFound()
    return task


def _person(user_id: int, field: str = "assignee_id") -> User:
    person = db.session.get(User, user_id)
    if person is None:
        raise ValidationFailed({field: "No such person: choose one from the assignable people."})
    return person


def _detail(task: Task) -> Response:
    db.session.refresh(task)
    return reply(schemas.TaskDetail.of(task))


@bp.get("/tasks")
def list_tasks_api() -> Response:
    require(Permission.WITNESS_VIEW)
    view = request.args.get("view", "mine")
    if view not in queries.VIEWS:
        raise ValidationFailed({"view": f"One of: {', '.join(queries.VIEWS)}."})
    kind = request.args.get("kind") or None
    if kind is not None and len(kind) > 40:
        raise ValidationFailed({"kind": "At most 40 characters."})
    filters = queries.TaskFilters(view=view, kind=kind, witness_id=query_int("witness_id"),
                                  assignee_id=query_int("assignee_id"))
    limit = _limit()
    rows = queries.page_tasks(current_user, filters, after=query_int("after"), limit=limit + 1)
    page, now = rows[:limit], utc_now()
    return reply(schemas.TaskPage(items=[schemas.Task.of(t, now) for t in page],
                                  next_after=page[-1].id if len(rows) > limit else None))


@bp.post("/tasks")
def create_task_api() -> tuple[Response, int]:
    require(Permission.WITNESS_VIEW)
    data = body(schemas.TaskInput)
    task = operations.write_task(
        current_user, title=data.title, assignee=db.session.get(User, data.assignee_id), due_on=data.due_on,
        witness_id=data.witness_id, case_id=data.case_id, urgent=data.urgent,
    )
    db.session.commit()
    return _detail(task), 201


@bp.get("/tasks/<int:task_id>")
def get_task_api(task_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    return reply(schemas.TaskDetail.of(_load(task_id)))


@bp.post("/tasks/<int:task_id>/reassign")
def reassign_task_api(task_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    task = _load(task_id)
    data = body(schemas.ReassignInput)
    operations.reassign_task(current_user, task, _person(data.assignee_id))
    db.session.commit()
    return _detail(task)


@bp.post("/tasks/<int:task_id>/comments")
def comment_task_api(task_id: int) -> tuple[Response, int]:
    require(Permission.WITNESS_VIEW)
    task = _load(task_id)
    data = body(schemas.CommentInput)
    comment = operations.comment_on_task(current_user, task, data.body)
    db.session.commit()
    return reply(schemas.Comment.model_validate(comment)), 201


@bp.post("/tasks/<int:task_id>/complete")
def complete_task_api(task_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    task = _load(task_id)
    data = body(schemas.CompleteInput)
    operations.complete_task(current_user, task, data.note)
    db.session.commit()
    return _detail(task)


# Who may be assigned to a witness (the witness page's form) and to a case (a case's staff).
WITNESS_ASSIGNEES = (Role.LIAISON_OFFICER, Role.PROSECUTOR, Role.SUPPORT_PERSON)
CASE_ASSIGNEES = (Role.LIAISON_OFFICER, Role.PROSECUTOR)


def _people(witness_id: int | None, case_id: int | None, assign: Permission, roles: tuple[str, ...]) -> Response:
    purpose = request.args.get("purpose", "task")
    if purpose not in ("task", "assignment"):
        raise ValidationFailed({"purpose": "One of: task, assignment."})
    after, limit = query_int("after"), _limit()
    if purpose == "task":
        rows = queries.assignable_people(witness_id, case_id, after=after, limit=limit + 1)
    else:
        if not has_permission(current_user, assign):
            raise NotFound()
        rows = staff_page(roles, after=after, limit=limit + 1)
    page = rows[:limit]
    return reply(schemas.PersonPage(items=[schemas.Person.model_validate(p) for p in page],
                                    next_after=page[-1].id if len(rows) > limit else None))


@bp.get("/witnesses/<int:witness_id>/assignable-people")
def witness_people_api(witness_id: int) -> Response:
    require(Permission.WITNESS_VIEW)
    if load_visible(current_user, Witness, witness_id, can_view_witness) is None:
        raise NotFound()
    return _people(witness_id, None, Permission.WITNESS_ASSIGN, WITNESS_ASSIGNEES)


@bp.get("/cases/<int:case_id>/assignable-people")
def case_people_api(case_id: int) -> Response:
    require(Permission.CASE_VIEW)
    if load_visible(current_user, Case, case_id, can_view_case) is None:
        raise NotFound()
    return _people(None, case_id, Permission.CASE_EDIT, CASE_ASSIGNEES)


def _int(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "description": description,
            "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}}


_PAGING = [
    _int("after", "The `next_after` of the previous page"),
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX}},
]
_PURPOSE = {
    "name": "purpose", "in": "query",
    "description": "`task` (default): the active people who may see it, to whom a task on it may go. `assignment`: "
                   "the active staff who may be assigned to it (needs the permission to assign).",
    "schema": {"type": "string", "enum": ["task", "assignment"]},
}

add_paths({
    "/tasks": {
        "get": Op(
            "Tasks in pages, oldest first: mine (open), my team's (open), overdue, or done; among those you may see",
            {"200": schemas.TaskPage},
            parameters=[
                {"name": "view", "in": "query", "schema": {"type": "string", "enum": list(queries.VIEWS)}},
                {"name": "kind", "in": "query", "schema": {"type": "string", "maxLength": 40}},
                _int("witness_id", "Only tasks on this witness"),
                _int("assignee_id", "Only tasks for this person"),
                *_PAGING,
            ],
        ),
        "post": Op("Write a task on a witness or a case you may see", {"201": schemas.TaskDetail}, schemas.TaskInput),
    },
    "/tasks/{task_id}": {
        "parameters": [id_param("task_id")],
        "get": Op("A task with its comments", {"200": schemas.TaskDetail}),
    },
    "/tasks/{task_id}/reassign": {
        "parameters": [id_param("task_id")],
        "post": Op("Give the task to someone who may see its witness or case", {"200": schemas.TaskDetail},
                   schemas.ReassignInput),
    },
    "/tasks/{task_id}/comments": {
        "parameters": [id_param("task_id")],
        "post": Op("Comment on the task", {"201": schemas.Comment}, schemas.CommentInput),
    },
    "/tasks/{task_id}/complete": {
        "parameters": [id_param("task_id")],
        "post": Op("Complete the task (its assignee, or a liaison officer of its witness; audited)",
                   {"200": schemas.TaskDetail}, schemas.CompleteInput),
    },
    "/witnesses/{witness_id}/assignable-people": {
        "parameters": [id_param("witness_id")],
        "get": Op("The people a task on this witness, or an assignment to it, may go to",
                  {"200": schemas.PersonPage}, parameters=[_PURPOSE, *_PAGING]),
    },
    "/cases/{case_id}/assignable-people": {
        "parameters": [id_param("case_id")],
        "get": Op("The people a task on this case, or an assignment to it, may go to",
                  {"200": schemas.PersonPage}, parameters=[_PURPOSE, *_PAGING]),
    },
})
