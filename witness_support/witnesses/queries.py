"""Reads of witnesses that more than one page or endpoint needs."""

from __future__ import annotations

from ..auth.models import User
from ..errors import NotFound
from ..extensions import db
from ..permissions import can_view_witness
from .models import Witness


def load_witness(user: User, witness_id: int) -> Witness:
    """The witness, or NotFound when there is none or `user` may not see it (the same answer)."""
    witness = db.session.get(Witness, witness_id)
    if witness is None or not can_view_witness(user, witness):
        raise NotFound()
    return witness
