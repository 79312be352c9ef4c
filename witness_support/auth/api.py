"""API route about the caller: who the token speaks for, their teams and permissions."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from ..api import bp, reply
from ..api.openapi import Op, add_paths
from ..permissions import ROLE_PERMISSIONS, Role
from . import schemas
from .queries import supervises_anyone


@bp.get("/me")
def me_api() -> Response:
    """Any valid token may ask who it speaks for (the blueprint refuses one that is not)."""
    user = current_user
    return reply(schemas.Me(
        id=user.id, display_name=user.display_name, email=user.email, role=user.role,
        teams=[schemas.TeamRef.model_validate(team) for team in user.teams],
        permissions=sorted(ROLE_PERMISSIONS.get(Role(user.role), frozenset())),
        supervisor_id=user.supervisor_id, supervises=supervises_anyone(user),
    ))


add_paths({
    "/me": {
        "get": Op("The caller: id, name, role, teams and permissions", {"200": schemas.Me}),
    },
})
