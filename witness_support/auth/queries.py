"""Reads of accounts that more than one package needs."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..extensions import db
from .models import User
from .operations import normalise_email


def user_by_email(email: str) -> User | None:
    """The account with this email (as typed: case and spacing aside), or None."""
    return db.session.execute(sa.select(User).where(User.email == normalise_email(email))).scalar_one_or_none()


def staff_page(roles: tuple[str, ...], *, after: int | None, limit: int) -> list[User]:
    """Active accounts of these roles, by id after `after` (the API's pages of the people an
    assignment may go to)."""
    return list(db.session.execute(
        sa.select(User).where(User.active.is_(True), User.role.in_(roles), User.id > (after or 0))
        .order_by(User.id).limit(limit)
    ).scalars())


def supervises_anyone(user: User) -> bool:
    """Whether an administrator named `user` the supervisor of an active account."""
    return bool(db.session.execute(sa.select(supervises_clause(user.id))).scalar())


def supervises_clause(user_id: Any) -> sa.Exists:
    """supervises_anyone as a column, for a page that asks it with its other facts in one
    statement; `user_id` may be a bound parameter."""
    return sa.exists().where(User.supervisor_id == user_id, User.active.is_(True))
