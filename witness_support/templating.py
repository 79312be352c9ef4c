"""Jinja helpers: court-local time, labels, the witness flag."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask
from flask_login import current_user

from . import access
from .countries import country_name
from .dates import as_local
from .permissions import Permission, has_permission


def local_time(value: datetime | None, tz: str | None, fmt: str = "%a %d %b %Y %H:%M") -> str:
    if value is None:
        return ""
    local = as_local(value, tz) if tz else value
    return f"{local.strftime(fmt)} {local.tzname()}"


def label(value: object) -> str:
    """pre_trial -> Pre-trial; the machine names stay in the API, people read words."""
    if value is None:
        return ""
    text = str(value).replace("_", " ")
    text = text.replace("pre trial", "pre-trial").replace("post trial", "post-trial")
    return text[:1].upper() + text[1:]


def iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def money(amount: Decimal | str | float | None, currency: str | None = None) -> str:
    """1234567.5, "IDR" -> "1,234,567.50 IDR": grouped so that a large sum reads at a glance, two
    decimals as stored, and the currency code always beside it (amounts in several currencies
    sit in one table). Exports keep the plain number."""
    if amount is None or amount == "":
        return "—"
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(amount)
    text = f"{value:,.2f}"
    return f"{text} {currency}" if currency else text


def field_attrs(field: Any) -> dict[str, str]:
    """aria-describedby for the hint and the error, aria-invalid when the field has an error."""
    described = []
    if field.description:
        described.append(f"{field.id}-hint")
    if field.errors:
        described.append(f"{field.id}-error")
    attrs = {"aria-describedby": " ".join(described)} if described else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return attrs


def form_errors(form: Any) -> list[Any]:
    """The fields with errors, in form order, for the summary at the top of the page."""
    return [f for f in form if f.errors and f.type not in ("CSRFTokenField", "HiddenField")]


def sees(witness: Any, group: str) -> bool:
    """In a template: may the person signed in see this field group of this witness?"""
    return access.sees(current_user, witness, group)


def shows(witness: Any, resource: str, field: str) -> bool:
    """In a template: may the person signed in see `resource.field` of this witness's data?"""
    return access.shows(access.visible_groups(current_user, witness), resource, field)


def register(app: Flask) -> None:
    app.jinja_env.globals["sees"] = sees
    app.jinja_env.globals["shows"] = shows
    app.jinja_env.filters["benefit_resource"] = access.benefit_resource
    app.jinja_env.globals["field_attrs"] = field_attrs
    app.jinja_env.globals["country_name"] = country_name
    app.jinja_env.filters["form_errors"] = form_errors
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["iso_date"] = iso_date
    app.jinja_env.filters["money"] = money

    @app.context_processor
    def permissions_helpers() -> dict:
        return {
            "can": lambda permission: has_permission(current_user, Permission(permission)),
            "Permission": Permission,
        }
