"""Reads of accounts that more than one package needs."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from .models import User
from .operations import normalise_email


def user_by_email(email: str) -> User | None:
    """The account with this email (as typed: case and spacing aside), or None."""
    return db.session.execute(sa.select(User).where(User.email == normalise_email(email))).scalar_one_or_none()
