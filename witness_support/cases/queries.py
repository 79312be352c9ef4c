"""Reads of cases that more than one page or endpoint needs."""

from __future__ import annotations

from ..auth.models import User
from ..errors import NotFound
from ..extensions import db
from ..permissions import can_view_case
from .models import Case


def load_case(user: User, case_id: int) -> Case:
    """The case, or NotFound when there is none or `user` may not see it (the same answer)."""
    case = db.session.get(Case, case_id)
    if case is None or not can_view_case(user, case):
        raise NotFound()
    return case
