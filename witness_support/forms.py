"""The one way a view runs an operation: load → check → operation → commit, or show the errors.

`attempt` runs the operation and commits; when a rule refuses, it rolls back and puts the
errors next to the form's fields. `run_operation` adds what most form pages do next (a message
and a redirect), `run_action` what a button without a page of its own does (a message either
way, then back).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from .errors import OperationError, ValidationFailed
from .extensions import db


def apply_errors(form: FlaskForm, error: OperationError) -> str | None:
    """Put an operation's field errors next to the fields; return the message for the top of the page."""
    general = None if isinstance(error, ValidationFailed) else error.message
    for name, message in error.field_errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            general = error.message
    return general


@dataclass
class Attempt:
    """How an operation went: its result, or why it was refused."""

    value: Any = None
    refusal: OperationError | None = None
    error: str | None = None  # for the top of the page (field errors are next to the fields)

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def message(self) -> str:
        """The refusal's own message."""
        return self.refusal.message if self.refusal else ""

    @property
    def summary(self) -> str:
        """The refusal in one line, its field errors if it has any, for a flash."""
        if self.refusal is None:
            return ""
        return " ".join(self.refusal.field_errors.values()) or self.refusal.message


def attempt(
    action: Callable[[], Any], form: FlaskForm | None = None, *, commit: Callable[[], None] | None = None,
    keep_on_refusal: bool = False,
) -> Attempt:
    """Run `action` and commit (with `commit`, when sending mail must follow the commit).

    On a refusal roll back (or, with `keep_on_refusal`, commit what the operation kept on purpose,
    such as a count of failed attempts) and report the errors, by field when there is a form.
    """
    try:
        value = action()
        (commit or db.session.commit)()
    except OperationError as exc:
        if keep_on_refusal:
            db.session.commit()
        else:
            db.session.rollback()
        general = apply_errors(form, exc) if form is not None else exc.message
        return Attempt(refusal=exc, error=general)
    return Attempt(value=value)


def _resolve(value: str | Callable[[Any], str], result: Any) -> str:
    return value(result) if callable(value) else value


def run_operation(
    form: FlaskForm, action: Callable[[], Any], success: str | Callable[[Any], str],
    target: str | Callable[[Any], str], *, commit: Callable[[], None] | None = None,
) -> Response | str | None:
    """Run an operation for a submitted form: commit and redirect on success; on a refusal roll
    back and return the message for the top of the page (field errors go next to the fields).

    `success` and `target` may be functions of what the operation returned (the new record)."""
    result = attempt(action, form, commit=commit)
    if not result.ok:
        return result.error
    flash(_resolve(success, result.value), "success")
    return redirect(_resolve(target, result.value))


def run_action(
    action: Callable[[], Any], success: str, target: str, *, commit: Callable[[], None] | None = None,
) -> Response:
    """Run an operation behind a button: a message either way, then back to `target`."""
    result = attempt(action, commit=commit)
    flash(success if result.ok else result.summary, "success" if result.ok else "error")
    return redirect(target)
