"""Form helpers shared by the blueprints: the one way a view runs an operation (load → check →
operation → commit, or show the errors), field errors, and the one-time submission key that makes
a form sent twice create one record.

`attempt` runs the operation and commits; when a rule refuses, it rolls back and puts the
errors next to the form's fields. `run_operation` adds what most form pages do next (a message
and a redirect), `form_page` the page around it (the form again, with its errors, until it is
accepted), `run_action` what a button without a page of its own does (a message either way, then
back). `form_values` hands a form's fields to an operation whose keywords share their names.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField
from wtforms.validators import DataRequired

from . import idempotency
from .errors import OperationError, ValidationFailed
from .extensions import db

CHOOSE = "Choose…"
ALREADY_SENT = "This form had already been sent: the record was created then, and nothing new was created now."


def choose(choices: Mapping[Any, str]) -> dict[Any, str]:
    """A consequential choice's options behind a "Choose…" placeholder with the empty value.

    No form presets a decision, a status, a route, a kind of event or aid, a level or a consent: one
    left as it was would be saved by inattention. The field starts on the placeholder and takes
    `default=""`, so that a choice missing from the post reads as one left open; the empty value is
    refused next to the field (by the operation, in the words the API gives, or by `chosen`) until
    someone picks one."""
    return {"": CHOOSE, **choices}


def chosen(message: str) -> DataRequired:
    """Refuse a choice left on "Choose…" (or missing) with `message` next to the field."""
    return DataRequired(message=message)


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


def form_page(
    form: FlaskForm, action: Callable[[], Any], success: str | Callable[[Any], str],
    target: str | Callable[[Any], str], template: str, *, commit: Callable[[], None] | None = None,
    **context: Any,
) -> Response | str:
    """A page whose form runs one operation: a valid submission runs it (`run_operation`) and
    redirects; otherwise, or when a rule refuses, `template` is rendered with the form, `error` (the
    message for the top of the page) and `context`."""
    error = None
    if form.validate_on_submit():
        result = run_operation(form, action, success, target, commit=commit)
        if isinstance(result, Response):
            return result
        error = result
    return render_template(template, form=form, error=error, **context)


def form_values(form: FlaskForm, **overrides: Any) -> dict[str, Any]:
    """The form's fields by name, for an operation whose keywords are the same names (as an API
    body's fields are), without the CSRF token and the one-time key; `overrides` replace a value
    the operation takes in another form."""
    skip = {getattr(form.meta, "csrf_field_name", "csrf_token"), "submission_key"}
    return {name: value for name, value in form.data.items() if name not in skip} | overrides
