"""The supervisor's numbers, each counted exactly as the list it links to shows its rows.

A supervisor is anyone whose account an administrator named as the supervisor of another active
account (User.supervisor_id). Every number is counted among the witnesses, tasks and notices the
supervisor may see themselves, under the same conditions as the witness list's filters, the tasks
page and the undelivered notices list: supervising someone gives no sight of their witnesses, so
the count never says more than the list behind it shows.

The page costs a fixed number of statements whatever the size of the team: one for the team, one
per measure grouped by officer, one for the totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from ..auth.models import User
from ..extensions import db
from ..notifications.models import Notification
from ..notifications.operations import undelivered_clause
from ..permissions import Role
from ..tasks.models import Task
from ..tasks.queries import visible_task_clause
from ..witnesses.models import AssignmentRole, Witness, WitnessAssignment
from ..witnesses.queries import WitnessFilters, filter_conditions, visible_witness_condition


@dataclass
class OfficerLoad:
    """One supervised person's row: their witnesses (as liaison officer) and overdue work."""

    user: User
    caseload: int = 0
    reviews_overdue: int = 0
    tasks_overdue: int = 0
    notices_undelivered: int = 0


@dataclass
class Overview:
    team: list[OfficerLoad] = field(default_factory=list)
    # Among every witness, task and notice the supervisor may see, not only the team's.
    without_officer: int = 0
    reviews_overdue: int = 0
    tasks_overdue: int = 0
    notices_undelivered: int = 0


def supervised(user: User) -> list[User]:
    """The active accounts `user` supervises, by name; empty for anyone who supervises nobody."""
    if user.role == Role.ADMIN:  # administrators see no witness data
        return []
    return list(db.session.execute(
        sa.select(User).where(User.supervisor_id == user.id, User.active.is_(True))
        .order_by(User.display_name, User.id)
    ).scalars())


def _officer_assignment(team_ids: list[int], today: date) -> sa.Select:
    """(user_id, witness_id) of the team's active liaison officer assignments."""
    return sa.select(WitnessAssignment.user_id, WitnessAssignment.witness_id).where(
        WitnessAssignment.user_id.in_(team_ids),
        WitnessAssignment.role == AssignmentRole.LIAISON_OFFICER,
        WitnessAssignment.active_clause(today),
    )


def overview(user: User, team: list[User], *, today: date, now: datetime) -> Overview:
    """The numbers of the supervisor's page (four statements, whatever the team's size)."""
    result = Overview(team=[OfficerLoad(member) for member in team])
    rows = {load.user.id: load for load in result.team}
    ids = list(rows)
    visible = visible_witness_condition(user)
    held = _officer_assignment(ids, today).subquery()

    witnesses = db.session.execute(
        sa.select(held.c.user_id, sa.func.count(sa.distinct(Witness.id)),
                  sa.func.count(sa.distinct(sa.case((Witness.next_review_on < today, Witness.id)))))
        .join(Witness, Witness.id == held.c.witness_id)
        .where(visible)
        .group_by(held.c.user_id)
    ).all()
    for user_id, caseload, overdue in witnesses:
        rows[user_id].caseload, rows[user_id].reviews_overdue = caseload, overdue

    open_overdue = sa.and_(Task.done_at.is_(None), Task.due_at < now, visible_task_clause(user))
    for user_id, count in db.session.execute(
        sa.select(Task.assignee_id, sa.func.count()).where(Task.assignee_id.in_(ids), open_overdue)
        .group_by(Task.assignee_id)
    ).all():
        rows[user_id].tasks_overdue = count

    notice_visible = Notification.witness_id.in_(
        sa.select(Witness.id).where(visible).scalar_subquery())
    for user_id, count in db.session.execute(
        sa.select(held.c.user_id, sa.func.count(sa.distinct(Notification.id)))
        .join(Notification, Notification.witness_id == held.c.witness_id)
        .where(undelivered_clause(now), notice_visible)
        .group_by(held.c.user_id)
    ).all():
        rows[user_id].notices_undelivered = count

    def count_of(query: sa.Select) -> sa.ScalarSelect:
        return query.with_only_columns(sa.func.count()).scalar_subquery()

    no_officer = filter_conditions(user, WitnessFilters(no_officer=True), today)
    overdue_reviews = filter_conditions(user, WitnessFilters(review_overdue=True), today)
    totals = db.session.execute(sa.select(
        count_of(sa.select(Witness.id).where(visible, *no_officer)),
        count_of(sa.select(Witness.id).where(visible, *overdue_reviews)),
        count_of(sa.select(Task.id).where(open_overdue)),
        count_of(sa.select(Notification.id).where(undelivered_clause(now), notice_visible)),
    )).one()
    result.without_officer, result.reviews_overdue, result.tasks_overdue, result.notices_undelivered = totals
    return result
