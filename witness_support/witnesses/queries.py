"""Reads of witnesses that more than one page or endpoint needs."""

from __future__ import annotations

from ..auth.models import User
from ..errors import NotFound
from ..permissions import can_view_witness, load_visible
from .models import Witness


def load_witness(user: User, witness_id: int) -> Witness:
    """The witness, or NotFound when there is none or `user` may not see it (the same answer)."""
    witness = load_visible(user, Witness, witness_id, can_view_witness)  # hidden or missing: one statement
    if witness is None:
        raise NotFound()
    return witness
