"""Web pages of the benefits ledger (filled in below)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ledger", __name__)
