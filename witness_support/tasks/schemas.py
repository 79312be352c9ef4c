"""The API's task resources: a task, its comments, a page of tasks, the people a task may go to,
and what a client sends to write, reassign, comment on and complete one.

A task carries no witness data: its title is written with the pseudonymous reference, and it
names its witness or case by id only."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import Field

from ..api.schemas import BlankText, Day, Id, Input, Instant, Output, Text
from ..permissions import Role
from . import models

# ---- input ---------------------------------------------------------------------------------------


class TaskInput(Input):
    """Write a task on one witness or one case the caller may see, for someone who may see it too."""

    title: Text(300, min_length=1) = Field(description="What needs doing; use the witness's reference, never a name")
    assignee_id: Id = Field(description="From the task's assignable people (the caller's own id for their own task)")
    witness_id: Id | None = None
    case_id: Id | None = None
    due_on: Day | None = Field(None, description="Due by the end of this day (UTC)")
    urgent: bool = False


class ReassignInput(Input):
    assignee_id: Id


class CommentInput(Input):
    body: Text(2000, min_length=1)


class CompleteInput(Input):
    note: BlankText(2000) = ""


# ---- output --------------------------------------------------------------------------------------


class Person(Output):
    """Someone a task or an assignment may go to: the `user_id` other requests need."""

    id: int
    display_name: str
    role: Role


class PersonPage(Output):
    items: list[Person]
    next_after: int | None = Field(description="Pass as `after` for the next page; null on the last")


class Comment(Output):
    id: int
    author_id: int
    body: str
    created_at: Instant


class Task(Output):
    id: int
    kind: str = Field(description="`manual` for a task a person wrote; else what raised it")
    title: str
    assignee_id: int
    assignee_name: str
    witness_id: int | None
    case_id: int | None
    due_at: Instant | None
    urgent: bool
    overdue: bool
    created_at: Instant
    created_by_id: int | None = Field(description="Who wrote it; null when the system raised it")
    done_at: Instant | None
    done_by_id: int | None
    note: str

    @classmethod
    def fields_of(cls, task: models.Task, now: datetime | None = None) -> dict:
        return {
            "id": task.id, "kind": task.kind, "title": task.title, "assignee_id": task.assignee_id,
            "assignee_name": task.assignee.display_name or task.assignee.email, "witness_id": task.witness_id,
            "case_id": task.case_id, "due_at": task.due_at, "urgent": task.urgent, "overdue": task.overdue(now),
            "created_at": task.created_at, "created_by_id": task.created_by_id, "done_at": task.done_at,
            "done_by_id": task.done_by_id, "note": task.note or "",
        }

    @classmethod
    def of(cls, task: models.Task, now: datetime | None = None) -> Self:
        return cls(**cls.fields_of(task, now))


class TaskDetail(Task):
    comments: list[Comment]

    @classmethod
    def of(cls, task: models.Task, now: datetime | None = None) -> Self:
        return cls(**cls.fields_of(task, now), comments=[Comment.model_validate(c) for c in task.comments])


class TaskPage(Output):
    items: list[Task]
    next_after: int | None = Field(description="Pass as `after` for the next page; null on the last")

