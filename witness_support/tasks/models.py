"""To-dos for staff: raised by the system (tell a witness an aid decision, revise a protection
plan, deliver a notice) or written by people, with comments."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utc_now
from ..extensions import db


class Task(db.Model):
    __tablename__ = "tasks"
    __audit_type__ = "task"
    __table_args__ = (sa.Index("ix_tasks_assignee_open", "assignee_id", "done_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    witness_id: Mapped[int | None] = mapped_column(sa.ForeignKey("witnesses.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    # A machine name (aid_decision, revise_protection_plan, deliver_notice...) for filtering.
    kind: Mapped[str] = mapped_column(sa.String(40))
    # Written with the pseudonymous reference only: tasks show on home pages and in lists.
    title: Mapped[str] = mapped_column(sa.String(300))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    urgent: Mapped[bool] = mapped_column(default=False)
    # What raised the task (e.g. "aid", 12), so the page can link to where it is done.
    source_type: Mapped[str | None] = mapped_column(sa.String(40))
    source_id: Mapped[int | None]
    # Stops the same task from being raised twice (e.g. by two sweeps at once).
    dedup_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # Who wrote the task; None for a task the system raised.
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    assignee = relationship("User", foreign_keys=[assignee_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    done_by = relationship("User", foreign_keys=[done_by_id])
    witness = relationship("Witness")
    case = relationship("Case")
    comments: Mapped[list[TaskComment]] = relationship(back_populates="task", order_by="TaskComment.id")

    @property
    def audit_witness_id(self) -> int | None:
        return self.witness_id

    def overdue(self, now: datetime | None = None) -> bool:
        return self.done_at is None and self.due_at is not None and self.due_at < (now or utc_now())

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.kind} assignee={self.assignee_id}>"


class TaskComment(db.Model):
    """A note on a task (what was tried, who to call): written with references, never names."""

    __tablename__ = "task_comments"
    __audit_type__ = "task_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    task: Mapped[Task] = relationship(back_populates="comments")
    author = relationship("User")

    def __repr__(self) -> str:
        return f"<TaskComment {self.id} task={self.task_id}>"
