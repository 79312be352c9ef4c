"""Reads about tasks: who may see or take a task, the tasks page's lists, whom a task can go to."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..access import can_view_case, can_view_witness, visible_case_ids, visible_witness_ids
from ..auth.models import User, team_members
from ..cases.models import CaseAssignment, Journey
from ..db import utc_now
from ..extensions import db
from ..permissions import Permission, Role, has_permission
from ..witnesses.models import WitnessAssignment
from .models import Task


def may_take_task(user: User, task: Task) -> bool:
    """Whether `user` may see what the task is about (its witness, or its case): the test for
    seeing it, for being given it, and, for a liaison officer, for completing it."""
    if task.witness_id is not None:
        # Only the id is read: loading the witness would decrypt its identity for nothing.
        return can_view_witness(user, SimpleNamespace(id=task.witness_id))
    if task.case_id is not None:
        return can_view_case(user, SimpleNamespace(id=task.case_id))
    return task.assignee_id == user.id or task.created_by_id == user.id


def may_see_task(user: User, task: Task) -> bool:
    return task.assignee_id == user.id or may_take_task(user, task)


def visible_task_clause(user: User) -> sa.ColumnElement[bool]:
    """WHERE clause: tasks the user may see (their own, or on a witness or case they may see)."""
    on_witness = (Task.witness_id.in_(visible_witness_ids(user).scalar_subquery())
                  if has_permission(user, Permission.WITNESS_VIEW) else sa.false())
    on_case = (sa.and_(Task.witness_id.is_(None), Task.case_id.in_(visible_case_ids(user).scalar_subquery()))
               if has_permission(user, Permission.CASE_VIEW) else sa.false())
    return sa.or_(Task.assignee_id == user.id, on_witness, on_case)


VIEWS = ("mine", "team", "overdue", "done")


@dataclass
class TaskFilters:
    view: str = "mine"
    kind: str | None = None
    witness_id: int | None = None
    assignee_id: int | None = None


def list_tasks(user: User, filters: TaskFilters, limit: int = 200) -> list[Task]:
    """The tasks page: mine (open, assigned to me), my team's (open, assigned to anyone in a team
    I am in), overdue (open, past due, among those I may see), done (recently, that I may see)."""
    query = _tasks_query(user, filters)
    if filters.view == "done":
        query = query.order_by(Task.done_at.desc(), Task.id.desc())
    else:
        query = query.order_by(Task.urgent.desc(), Task.due_at.is_(None), Task.due_at, Task.id)
    return list(db.session.execute(query.limit(limit)).scalars())


def page_tasks(user: User, filters: TaskFilters, *, after: int | None, limit: int) -> list[Task]:
    """The same lists for the API, in id order so that a page continues after the last id seen
    (`after`) however tasks are completed or reassigned in between; read `limit` + 1 to know
    whether there is a next page."""
    query = _tasks_query(user, filters).options(selectinload(Task.assignee))
    if after is not None:
        query = query.where(Task.id > after)
    return list(db.session.execute(query.order_by(Task.id).limit(limit)).scalars())


def _tasks_query(user: User, filters: TaskFilters) -> sa.Select:
    now = utc_now()
    query = sa.select(Task).where(visible_task_clause(user))
    if filters.view == "mine":
        query = query.where(Task.assignee_id == user.id, Task.done_at.is_(None))
    elif filters.view == "team":
        my_teams = sa.select(team_members.c.team_id).where(team_members.c.user_id == user.id)
        colleagues = sa.select(team_members.c.user_id).where(team_members.c.team_id.in_(my_teams))
        query = query.where(Task.assignee_id.in_(colleagues), Task.done_at.is_(None))
    elif filters.view == "overdue":
        query = query.where(Task.done_at.is_(None), Task.due_at < now)
    else:
        query = query.where(Task.done_at.is_not(None))
    if filters.kind:
        query = query.where(Task.kind == filters.kind)
    if filters.witness_id is not None:
        query = query.where(Task.witness_id == filters.witness_id)
    if filters.assignee_id is not None:
        query = query.where(Task.assignee_id == filters.assignee_id)
    return query


def assignable_people(witness_id: int | None = None, case_id: int | None = None, *,
                      after: int | None = None, limit: int | None = None) -> list[User]:
    """Active people who may see the witness (assigned to it, or staff on one of its cases) or
    the case (assigned to it): the people a task on it may go to. Without either, every active
    member of staff who is not an administrator. By name; with `limit` (the API's pages), by id
    after `after`."""
    query = sa.select(User).where(User.active.is_(True), User.role != Role.ADMIN)
    if limit is not None:
        query = query.where(User.id > (after or 0))
    if witness_id is not None:
        direct = sa.select(WitnessAssignment.user_id).where(
            WitnessAssignment.witness_id == witness_id, WitnessAssignment.active_clause())
        via_case = (sa.select(CaseAssignment.user_id)
                    .join(Journey, Journey.case_id == CaseAssignment.case_id)
                    .join(User, User.id == CaseAssignment.user_id)
                    .where(Journey.witness_id == witness_id, CaseAssignment.ended_at.is_(None),
                           User.role.in_([Role.LIAISON_OFFICER, Role.PROSECUTOR])))
        query = query.where(User.id.in_(sa.union(direct, via_case).scalar_subquery()))
    elif case_id is not None:
        query = query.where(User.id.in_(sa.select(CaseAssignment.user_id).where(
            CaseAssignment.case_id == case_id, CaseAssignment.ended_at.is_(None), )),
            User.role.in_([Role.LIAISON_OFFICER, Role.PROSECUTOR]))
    if limit is not None:
        return list(db.session.execute(query.order_by(User.id).limit(limit)).scalars())
    return list(db.session.execute(query.order_by(User.display_name, User.id)).scalars())
