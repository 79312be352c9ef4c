"""Web pages: the witness's services page (information given, consents, referrals, service plan),
the forms that add to it, the printable referral letter, and the organisations directory.

Every witness page needs the witness's `needs` field group; anyone else gets 404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from ..access import can_view_witness, sees
from ..cases.models import Journey
from ..extensions import db
from ..forms import form_page, run_operation, submitted_once
from ..mail import send_queued
from ..permissions import FieldGroup, Permission
from ..web import get_or_404, mark_sensitive, permission_required
from ..witnesses.models import Witness
from . import operations, queries
from .forms import (
    ConsentForm,
    InformationForm,
    NeedForm,
    OrganisationForm,
    ReferralForm,
    ReferralStatusForm,
    ReviewForm,
    WithdrawForm,
)
from .models import SERVICES, Consent, Organisation, Referral, service_words

bp = Blueprint("services", __name__)


def _witness(witness_id: int) -> Witness:
    witness = get_or_404(Witness, witness_id, can_view_witness)
    if not sees(current_user, witness, FieldGroup.NEEDS):
        abort(404)
    mark_sensitive()
    return witness


def _page(witness: Witness, anchor: str) -> str:
    return url_for("services.show", witness_id=witness.id, _anchor=anchor)


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None


def _organisation_choices(empty: str | None = None) -> dict[int, str]:
    choices = {o.id: o.name for o in queries.directory()}
    return {0: empty, **choices} if empty else choices


def _form_page(form: object, witness: Witness | None, title: str, cancel: str, error: str | None,
               intro: str = "") -> str:
    return render_template("services/form.html", form=form, witness=witness, title=title, cancel=cancel,
                           error=error, intro=intro)


def _form(form: FlaskForm, witness: Witness, title: str, cancel: str, action: Callable[[], Any], success: str,
          target: str, intro: str = "") -> str | Response:
    """The services form page of one operation (form_page)."""
    return form_page(form, action, success, target, "services/form.html", witness=witness, title=title,
                     cancel=cancel, intro=intro)


@bp.route("/witnesses/<int:witness_id>/services")
@permission_required(Permission.WITNESS_VIEW)
def show(witness_id: int) -> str:
    witness = _witness(witness_id)
    page = queries.services_page(witness.id)
    return render_template("services/show.html", witness=witness, page=page, service_words=service_words)


@bp.route("/witnesses/<int:witness_id>/services/information/new", methods=["GET", "POST"])
@permission_required(Permission.SERVICES_RECORD)
@submitted_once
def new_information(witness_id: int) -> str | Response:
    witness = _witness(witness_id)
    form = InformationForm()
    if not form.is_submitted():
        form.language.data = witness.preferred_language
    return _form(form, witness, "Record information given", _page(witness, "information"),
                 lambda: operations.record_information(
                     current_user, witness, topic=form.topic.data, method=form.method.data,
                     language=form.language.data, interpreter=form.interpreter.data,
                     given_at=_utc(form.given_at.data), questions=form.questions.data),
                 "Information recorded.", _page(witness, "information"))


@bp.route("/witnesses/<int:witness_id>/services/consents/new", methods=["GET", "POST"])
@permission_required(Permission.SERVICES_RECORD)
@submitted_once
def new_consent(witness_id: int) -> str | Response:
    witness = _witness(witness_id)
    form = ConsentForm()
    form.organisation_id.choices = _organisation_choices("—")
    error = None
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None
        result = run_operation(form, lambda: operations.record_consent(
            current_user, witness, purpose=form.purpose.data, organisation=organisation,
            service=form.service.data or None, detail=form.detail.data, scope=form.scope.data,
            given_at=_utc(form.given_at.data), given_how=form.given_how.data,
            guardian_involvement=form.guardian_involvement.data, child_view=form.child_view.data,
        ), "Consent recorded.", _page(witness, "consents"))
        if isinstance(result, Response):
            return result
        error = result
    intro = f"{witness.reference} is a child: record the guardian's involvement." if witness.is_child else ""
    return _form_page(form, witness, "Record consent", _page(witness, "consents"), error, intro)


@bp.route("/consents/<int:consent_id>/withdraw", methods=["GET", "POST"])
@permission_required(Permission.SERVICES_RECORD)
def withdraw_consent(consent_id: int) -> str | Response:
    consent = get_or_404(Consent, consent_id)
    witness = _witness(consent.witness_id)
    form = WithdrawForm()
    return _form(form, witness, f"Withdraw consent #{consent.id}", _page(witness, "consents"),
                 lambda: operations.withdraw_consent(current_user, consent, note=form.note.data),
                 "Consent withdrawn: pending referrals stopped.", _page(witness, "consents"),
                 "Withdrawal takes effect at once and cannot be undone: a new agreement is a new consent.")


@bp.route("/witnesses/<int:witness_id>/services/referrals/new", methods=["GET", "POST"])
@permission_required(Permission.SERVICES_RECORD)
@submitted_once
def new_referral(witness_id: int) -> str | Response:
    witness = _witness(witness_id)
    form = ReferralForm()
    form.organisation_id.choices = _organisation_choices()
    form.consent_id.choices = {
        c.id: f"#{c.id} {c.purpose_words}" + (f" — {service_words(c.service)}" if c.service else "")
        for c in queries.active_consents(witness.id)} or {0: "No consent recorded"}
    error = None
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        consent = db.session.get(Consent, form.consent_id.data) if form.consent_id.data else None
        result = run_operation(form, lambda: operations.create_referral(
            current_user, witness, organisation=organisation, service=form.service.data, consent=consent,
            field_groups=form.field_groups.data, no_terms_reason=form.no_terms_reason.data, note=form.note.data,
            send=form.send.data == "yes",
        ), "Referral recorded.", _page(witness, "referrals"))
        if isinstance(result, Response):
            send_queued()  # the letter's email leaves only now that the referral is committed
            return result
        error = result
    return _form_page(form, witness, "Refer to an organisation", _page(witness, "referrals"), error,
                      "The letter carries the pseudonymous reference and only the field groups chosen, "
                      "all of which the consent must cover.")


def _referral(referral_id: int) -> tuple[Referral, Witness]:
    referral = get_or_404(Referral, referral_id)
    return referral, _witness(referral.witness_id)


@bp.route("/referrals/<int:referral_id>/send", methods=["POST"])
@permission_required(Permission.SERVICES_RECORD)
def send_referral(referral_id: int) -> Response:
    referral, witness = _referral(referral_id)
    result = run_operation(WithdrawForm(), lambda: operations.send_referral(current_user, referral),
                           "Referral sent.", _page(witness, "referrals"))
    if isinstance(result, Response):
        send_queued()
        return result
    flash(result or "The referral could not be sent.", "error")
    return redirect(_page(witness, "referrals"))


@bp.route("/referrals/<int:referral_id>/status", methods=["GET", "POST"])
@permission_required(Permission.SERVICES_RECORD)
def referral_status(referral_id: int) -> str | Response:
    referral, witness = _referral(referral_id)
    form = ReferralStatusForm()
    return _form(form, witness, f"Referral #{referral.id}: answer or progress", _page(witness, "referrals"),
                 lambda: operations.update_referral(current_user, referral, status=form.status.data,
                                                    reason=form.reason.data, feedback=form.feedback.data),
                 "Referral updated.", _page(witness, "referrals"), f"Now {referral.status.replace('_', ' ')}.")


@bp.route("/referrals/<int:referral_id>/letter")
@permission_required(Permission.SERVICES_RECORD)
def letter(referral_id: int) -> str:
    referral, witness = _referral(referral_id)
    if referral.status == "stopped":
        abort(404)
    operations.audit.record("services.referral.letter", referral, actor=current_user,
                            details={"groups": referral.field_groups})
    db.session.commit()
    return render_template("services/letter.html", letter=queries.referral_letter(referral, witness))


@bp.route("/witnesses/<int:witness_id>/services/plan/<service>", methods=["GET", "POST"])
@permission_required(Permission.SERVICES_RECORD)
def need(witness_id: int, service: str) -> str | Response:
    witness = _witness(witness_id)
    if service not in SERVICES:
        abort(404)
    current = queries.services_page(witness.id).needs.get(service)
    form = NeedForm(obj=current)
    form.organisation_id.choices = _organisation_choices("—")
    error = None
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None
        result = run_operation(form, lambda: operations.save_need(
            current_user, witness, service=service, status=form.status.data, goal=form.goal.data,
            organisation=organisation, review_on=form.review_on.data,
        ), "Service plan saved.", _page(witness, "plan"))
        if isinstance(result, Response):
            return result
        error = result
    return _form_page(form, witness, f"Service plan: {service_words(service)}", _page(witness, "plan"), error)


@bp.route("/journeys/<int:journey_id>/sustainability-review", methods=["GET", "POST"])
@permission_required(Permission.SERVICES_RECORD)
@submitted_once
def review(journey_id: int) -> str | Response:
    journey = get_or_404(Journey, journey_id)
    witness = _witness(journey.witness_id)
    form = ReviewForm()
    # Back to the close form the review was asked for from (a fixed set of places, never a URL).
    back = {"close": lambda: url_for("custody.close", journey_id=journey.id),
            "transition": lambda: url_for("cases.transition", journey_id=journey.id)}
    then = request.args.get("then", "")
    target = back[then]() if then in back else _page(witness, "plan")
    return _form(form, witness, "Sustainable-protection review", target,
                 lambda: operations.record_review(current_user, journey, continues_after=form.continues_after.data),
                 "Review recorded.", target,
                 "Before the journey closes: which services continue after the case, and who provides them.")


# ---- the organisations directory -----------------------------------------------------------------


@bp.route("/organisations")
@permission_required(Permission.ORGANISATION_MANAGE)
def organisations() -> str:
    return render_template("services/organisations.html", organisations=queries.directory(),
                           service_words=service_words)


@bp.route("/organisations/new", methods=["GET", "POST"])
@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.ORGANISATION_MANAGE)
def edit_organisation(organisation_id: int | None = None) -> str | Response:
    organisation = get_or_404(Organisation, organisation_id) if organisation_id is not None else None
    form = OrganisationForm(obj=organisation)
    error = None
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in (
            "name", "kind", "services", "areas", "country_code", "email", "safe_contact_route",
            "confidentiality_agreed_on", "confidentiality_document")}
        result = run_operation(form, lambda: operations.save_organisation(current_user, organisation, **fields),
                               "Organisation saved.", url_for("services.organisations"))
        if isinstance(result, Response):
            return result
        error = result
    return _form_page(form, None, organisation.name if organisation else "Add an organisation",
                      url_for("services.organisations"), error)
