"""Form helpers shared by the blueprints: field errors, the commit-and-redirect step, and the
one-time submission key that makes a form sent twice create one record."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField

from . import idempotency
from .errors import OperationError, ValidationFailed
from .extensions import db

ALREADY_SENT = "This form had already been sent: the record was created then, and nothing new was created now."


class OnceForm(FlaskForm):
    """A form that creates a record. `form.hidden_tag()` renders a fresh one-time key with each new
    form; a re-displayed form (after a refusal) keeps its key, since nothing was created with it.
    The view that handles it carries `@submitted_once`."""

    submission_key = HiddenField(default=idempotency.new_key)


def submitted_once(view: Callable[..., Any]) -> Callable[..., Any]:
    """Consume a POSTed submission key once: the first successful POST (one that redirects) keeps
    where it redirected to; a replay of the key by the same person creates nothing and is sent
    there, with a message. A POST without a key (a script, an old page) is handled as before.

    Put it below the route's permission check: the key is claimed in the request's transaction,
    before the view acts, so two identical POSTs at once wait for each other on the key.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.form.get("submission_key") if request.method == "POST" else None
        if not (current_user.is_authenticated and idempotency.is_valid_key(key)):
            return view(*args, **kwargs)
        claim = idempotency.claim("form", current_user.id, key, request.path)
        if claim.replay:
            flash(ALREADY_SENT, "info")
            # While the first request is still finishing it has no answer yet: back to the form's page.
            return redirect(claim.location or request.path, 303)
        response = view(*args, **kwargs)
        if isinstance(response, Response) and response.status_code in (301, 302, 303):
            idempotency.remember(claim.id, status=response.status_code, location=response.location)
        else:
            db.session.rollback()  # a refused form: nothing it did stays, and its key stays usable
            idempotency.release(claim.id)
        db.session.commit()
        return response

    return wrapper


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
