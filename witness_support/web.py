"""Helpers shared by the web blueprints: the permission decorator, loading with 404, safe redirects."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from flask import abort, g, redirect
from flask_login import current_user
from werkzeug.wrappers import Response

from .access import load_visible
from .db import MAX_ID
from .extensions import db, login_manager
from .permissions import Permission, has_permission

F = TypeVar("F", bound=Callable[..., Any])
MAX_NEXT_LENGTH = 2000  # a longer "next" is no page of ours


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
    SQL form, both 404s run the same single statement (access.load_visible)."""
    obj = db.session.get(model, object_id) if check is None else load_visible(current_user, model, object_id, check)
    if obj is None:
        abort(404)
    return obj


def id_arg(raw: str | None) -> int | None:
    """An id from a query string or hidden field: None when empty; 400 when not a whole number an
    id column can hold (a 20-digit number overflows the database's integer, a 500 otherwise)."""
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10 or int(text) > MAX_ID:
        abort(400)
    return int(text)


def mark_sensitive() -> None:
    """Pages with witness data must never be stored by a browser or proxy cache."""
    g.sensitive = True


def safe_next(target: object) -> str | None:
    """`target` when it is a path on this site to send the browser on to, else None.

    The one check for every redirect target a client can influence (`next` after sign-in, the
    recovery codes' "continue" link, the task list's return address). Only a plain absolute path
    passes: '/witnesses/3?sort=next_court' yes; '//evil', '/\\evil', '\\\\evil', 'https:evil',
    'javascript:…', '%2F%2Fevil', 'https://other.host/…' no. Browsers drop tabs and line breaks
    from URLs and read a backslash as a slash, so any control character, whitespace or backslash,
    raw or percent-encoded, refuses the whole target rather than being cleaned up.
    """
    if not isinstance(target, str) or not target or len(target) > MAX_NEXT_LENGTH:
        return None
    for text in (target, unquote(target)):
        if not text.startswith("/") or text.startswith("//") or "\\" in text:
            return None
        if any(unicodedata.category(c)[0] in "CZ" for c in text):  # control, format, separators (spaces)
            return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def redirect_next(target: object, default: str) -> Response:
    """Redirect to `target` if it is safe (safe_next), else to `default`."""
    return redirect(safe_next(target) or default)
