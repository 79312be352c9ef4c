"""Raising and completing tasks."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from .. import audit
from ..auth.models import User
from ..db import utc_now
from ..errors import Conflict, NotFound
from ..extensions import db
from .models import Task


def create_task(
    assignee: User | int,
    kind: str,
    title: str,
    *,
    due_at: datetime | None = None,
    witness_id: int | None = None,
    case_id: int | None = None,
    urgent: bool = False,
    source: tuple[str, int] | None = None,
    dedup_key: str | None = None,
    actor: User | None = None,
) -> Task:
    """Raise a task; with a dedup_key an existing task with that key is returned instead."""
    if dedup_key:
        existing = db.session.execute(sa.select(Task).where(Task.dedup_key == dedup_key)).scalar_one_or_none()
        if existing is not None:
            if urgent and not existing.urgent:
                existing.urgent = True
            return existing
    task = Task(
        assignee_id=assignee if isinstance(assignee, int) else assignee.id,
        kind=kind,
        title=title[:300],
        due_at=due_at,
        witness_id=witness_id,
        case_id=case_id,
        urgent=urgent,
        source_type=source[0] if source else None,
        source_id=source[1] if source else None,
        dedup_key=dedup_key,
    )
    db.session.add(task)
    db.session.flush()
    audit.record("task.create", task, actor=actor, details={"kind": kind})
    return task


def complete_task(actor: User, task: Task, note: str = "") -> Task:
    if task.assignee_id != actor.id:
        raise NotFound()
    if task.done_at is not None:
        raise Conflict("This task is already done.")
    task.done_at = utc_now()
    task.done_by_id = actor.id
    task.note = (note or "")[:2000]
    audit.record("task.done", task, actor=actor)
    db.session.flush()
    return task


def open_tasks_for(user: User, limit: int = 100) -> list[Task]:
    """Urgent first, then by due date (undated last)."""
    return list(
        db.session.execute(
            sa.select(Task)
            .where(Task.assignee_id == user.id, Task.done_at.is_(None))
            .order_by(Task.urgent.desc(), Task.due_at.is_(None), Task.due_at, Task.id)
            .limit(limit)
        ).scalars()
    )
