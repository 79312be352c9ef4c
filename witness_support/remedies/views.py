"""Web pages: the witness's remedies page, and a form for each thing recorded on it.

Claims need the witness's benefits-summary group; permits, charges and property the identity
group. A witness, claim, permit, charge or item the user may not see answers 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from ..access import can_view_witness, sees, visible_groups
from ..extensions import db
from ..forms import form_page, form_values, submitted_once
from ..permissions import PROTECTED_GROUPS, FieldGroup, Permission, has_permission
from ..web import get_or_404, mark_sensitive, permission_required
from ..witnesses.models import Witness
from ..witnesses.operations import record_identity_view
from . import operations, queries
from .forms import AwardForm, ChargeForm, ClaimForm, DecisionForm, PaymentForm, PermitForm, PropertyForm, ReturnForm
from .models import ChargeAgainstWitness, CompensationClaim, PropertyItem

bp = Blueprint("remedies", __name__)

MONEY, IDENTITY = FieldGroup.BENEFITS_SUMMARY, FieldGroup.IDENTITY


def _witness(witness_id: int, group: FieldGroup | None = None) -> Witness:
    witness = get_or_404(Witness, witness_id, can_view_witness)
    if group is not None and not sees(current_user, witness, group):
        abort(404)
    mark_sensitive()
    return witness


def _owned(model: type, object_id: int, group: FieldGroup) -> tuple[Any, Witness]:
    """The record and its witness, or 404 when either is hidden from the user."""
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj, _witness(obj.witness_id, group)


def _page(witness: Witness, anchor: str) -> str:
    return url_for("remedies.show", witness_id=witness.id, _anchor=anchor)


def _form(form: FlaskForm, witness: Witness, title: str, action: Callable[[], Any], success: str, anchor: str,
          **context: Any) -> str | Response:
    back = _page(witness, anchor)
    return form_page(form, action, success, back, "remedies/form.html", witness=witness, title=title, back=back,
                     **context)


def _case_choices(form: FlaskForm, witness: Witness) -> None:
    """The witness's cases (and, on a claim, their defendants) to choose from; "—" (0) for none."""
    form.case_id.choices = {0: "—"} | queries.witness_cases(witness.id)
    if hasattr(form, "defendant_id"):
        form.defendant_id.choices = {0: "—"} | queries.witness_defendants(witness.id)


def _values(form: FlaskForm, **overrides: Any) -> dict[str, Any]:
    """The form's fields as the operation's keywords; a case or defendant of "—" is none."""
    values = form_values(form, **overrides)
    return values | {name: values[name] or None for name in ("case_id", "defendant_id") if name in values}


@bp.route("/witnesses/<int:witness_id>/remedies")
@permission_required(Permission.WITNESS_VIEW)
def show(witness_id: int) -> str:
    witness = _witness(witness_id)
    groups = visible_groups(current_user, witness)
    money, identity = MONEY in groups, IDENTITY in groups
    if not (money or identity):
        abort(404)
    if identity:
        record_identity_view(current_user, witness, via="web:remedies", groups=groups & PROTECTED_GROUPS)
        db.session.commit()
    remedies = queries.remedies_of(witness.id, money=money, identity=identity)
    can_record = has_permission(current_user, Permission.WITNESS_EDIT)
    return render_template("remedies/show.html", witness=witness, remedies=remedies, money=money,
                           identity=identity, can_record=can_record,
                           can_decide=has_permission(current_user, Permission.CASE_EDIT))


@bp.route("/witnesses/<int:witness_id>/remedies/claims/new", methods=["GET", "POST"])
@permission_required(Permission.WITNESS_EDIT)
@submitted_once
def new_claim(witness_id: int) -> str | Response:
    witness = _witness(witness_id, MONEY)
    form = ClaimForm()
    _case_choices(form, witness)
    return _form(form, witness, "Record a compensation claim",
                 lambda: operations.open_claim(current_user, witness, **_values(form)),
                 "Claim recorded.", "claims-title")


@bp.route("/remedies/claims/<int:claim_id>/award", methods=["GET", "POST"])
@permission_required(Permission.WITNESS_EDIT)
@submitted_once
def award(claim_id: int) -> str | Response:
    claim, witness = _owned(CompensationClaim, claim_id, MONEY)
    form = AwardForm()
    return _form(form, witness, f"Record the award on claim #{claim.id}",
                 lambda: operations.record_award(current_user, claim, **_values(form)),
                 "Award recorded.", f"claim-{claim.id}", claim=claim)


@bp.route("/remedies/claims/<int:claim_id>/payments/new", methods=["GET", "POST"])
@permission_required(Permission.WITNESS_EDIT)
@submitted_once
def new_payment(claim_id: int) -> str | Response:
    claim, witness = _owned(CompensationClaim, claim_id, MONEY)
    form = PaymentForm()
    if not form.is_submitted() and claim.awarded_currency:
        form.currency.data = claim.awarded_currency
    return _form(form, witness, f"Record a payment on claim #{claim.id}",
                 lambda: operations.record_payment(current_user, claim, **_values(form)),
                 "Payment recorded.", f"claim-{claim.id}", claim=claim)


@bp.route("/witnesses/<int:witness_id>/remedies/permits/new", methods=["GET", "POST"])
@permission_required(Permission.WITNESS_EDIT)
@submitted_once
def new_permit(witness_id: int) -> str | Response:
    witness = _witness(witness_id, IDENTITY)
    form = PermitForm()
    _case_choices(form, witness)
    return _form(form, witness, "Record a residence permit",
                 lambda: operations.record_permit(current_user, witness, **_values(form)),
                 "Permit recorded.", "permits-title")


@bp.route("/witnesses/<int:witness_id>/remedies/charges/new", methods=["GET", "POST"])
@permission_required(Permission.WITNESS_EDIT)
@submitted_once
def new_charge(witness_id: int) -> str | Response:
    witness = _witness(witness_id, IDENTITY)
    form = ChargeForm()
    return _form(form, witness, "Record a charge against the witness",
                 lambda: operations.record_charge(current_user, witness, **_values(form)),
                 "Charge recorded.", "charges-title")


@bp.route("/remedies/charges/<int:charge_id>/decision", methods=["GET", "POST"])
@permission_required(Permission.CASE_EDIT)
def decide_charge(charge_id: int) -> str | Response:
    charge, witness = _owned(ChargeAgainstWitness, charge_id, IDENTITY)
    form = DecisionForm(obj=charge)
    return _form(form, witness, "Record the prosecutor's decision",
                 lambda: operations.decide_charge(current_user, charge, **_values(form)),
                 "Decision recorded.", f"charge-{charge.id}")


@bp.route("/witnesses/<int:witness_id>/remedies/property/new", methods=["GET", "POST"])
@permission_required(Permission.WITNESS_EDIT)
@submitted_once
def new_property(witness_id: int) -> str | Response:
    witness = _witness(witness_id, IDENTITY)
    form = PropertyForm()
    _case_choices(form, witness)
    return _form(form, witness, "Record property taken as evidence",
                 lambda: operations.record_property(current_user, witness, **_values(form)),
                 "Item recorded.", "property-title")


@bp.route("/remedies/property/<int:item_id>/return", methods=["GET", "POST"])
@permission_required(Permission.WITNESS_EDIT)
def property_return(item_id: int) -> str | Response:
    item, witness = _owned(PropertyItem, item_id, IDENTITY)
    form = ReturnForm()
    return _form(form, witness, "Record the return of an item", lambda: operations.record_property_return(
        current_user, item, **_values(form, not_returned_reason=form.not_returned_reason.data or None),
    ), "Return recorded.", f"item-{item.id}", item=item)
