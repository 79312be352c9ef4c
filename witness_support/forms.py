"""Form helpers shared by the blueprints."""

from __future__ import annotations

from collections.abc import Callable
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


def run_operation(form: FlaskForm, action: Callable[[], Any], success: str, target: str) -> Response | str | None:
    """Run an operation for a submitted form: commit and redirect on success; on a refusal roll
    back and return the message for the top of the page (field errors go next to the fields)."""
    try:
        action()
        db.session.commit()
    except OperationError as exc:
        db.session.rollback()
        return apply_errors(form, exc)
    flash(success, "success")
    return redirect(target)
