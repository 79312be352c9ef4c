"""Helpers shared by the web blueprints: the permission decorator, loading with 404, safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, g
from flask_login import current_user

from .extensions import db, login_manager
from .permissions import Permission, has_permission, load_visible

F = TypeVar("F", bound=Callable[..., Any])


def permission_required(permission: Permission) -> Callable[[F], F]:
    """Anonymous users go to the login page; a role without the permission gets a plain 404."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_permission(current_user, permission):
                abort(404)
            return view(*args, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def get_or_404(model: type, object_id: int, check: Callable[[Any, Any], bool] | None = None) -> Any:
    """The object, or 404 when it is missing or the check refuses it; with a check that has an
    SQL form, both 404s run the same single statement (permissions.load_visible)."""
    obj = db.session.get(model, object_id) if check is None else load_visible(current_user, model, object_id, check)
    if obj is None:
        abort(404)
    return obj


def mark_sensitive() -> None:
    """Pages with witness data must never be stored by a browser or proxy cache."""
    g.sensitive = True


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths: '/witnesses/3' yes, '//evil.example' or 'https://…' no."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
