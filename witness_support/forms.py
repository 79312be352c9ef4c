"""Form helpers shared by the blueprints."""

from __future__ import annotations

from flask_wtf import FlaskForm

from .errors import OperationError, ValidationFailed


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
