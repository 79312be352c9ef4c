"""The API's resources about the caller's own account."""

from __future__ import annotations

from pydantic import Field

from ..api.schemas import Output
from ..permissions import Permission, Role


class TeamRef(Output):
    id: int
    name: str


class Me(Output):
    """Who the API token speaks for, and what they may do: the `user_id` other requests name."""

    id: int
    display_name: str
    email: str
    role: Role
    teams: list[TeamRef]
    permissions: list[Permission] = Field(description="What the role allows; each object is still need-to-know")
    supervisor_id: int | None
    supervises: bool = Field(description="Whether the caller supervises anyone (the supervisor's page)")
