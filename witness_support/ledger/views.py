"""Web pages of the benefits ledger: a witness's ledger, recording and correcting benefits,
concerns and their supervisor's queue, disclosure schedules, and the admin verification page."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from ..access import can_view_case, can_view_witness, remember_groups
from ..auth.models import User
from ..cases.models import Case
from ..db import today_utc
from ..extensions import db
from ..forms import attempt, form_page, run_operation, submitted_once
from ..permissions import Permission, has_permission
from ..web import get_or_404, id_arg, mark_sensitive, permission_required
from ..witnesses.models import Witness
from . import operations
from .export import schedule_csv, visible_totals
from .forms import ActionForm, BenefitForm, ConcernForm, CorrectionForm, DisclosureForm, ResolutionForm
from .models import BenefitConcern, BenefitEntry, LedgerCheckpoint, VerificationRun

bp = Blueprint("ledger", __name__)


def _authoriser_choices(witness: Witness) -> dict[int, str]:
    return {u.id: f"{u.display_name} ({u.role.replace('_', ' ')})" for u in operations.eligible_authorisers(witness)}


def _entry_or_404(entry_id: int) -> BenefitEntry:
    entry = db.session.get(BenefitEntry, entry_id)
    if entry is None or not can_view_witness(current_user, entry.witness):
        abort(404)
    return entry


@bp.route("/witnesses/<int:witness_id>/benefits")
@permission_required(Permission.BENEFIT_VIEW)
def witness_ledger(witness_id: int) -> str:
    witness = get_or_404(Witness, witness_id, can_view_witness)
    mark_sensitive()
    entries = operations.entries_for([witness.id])
    corrected_by: dict[int, list[int]] = {}
    for e in entries:
        if e.corrects_id:
            corrected_by.setdefault(e.corrects_id, []).append(e.id)
    return render_template(
        "ledger/witness.html", witness=witness, entries=entries, totals=operations.totals(entries),
        concerns=operations.concerns_for([witness.id]), corrected_by=corrected_by,
    )


@bp.route("/witnesses/<int:witness_id>/benefits/new", methods=["GET", "POST"])
@permission_required(Permission.BENEFIT_RECORD)
@submitted_once
def new_benefit(witness_id: int) -> str | BaseResponse:
    witness = get_or_404(Witness, witness_id, can_view_witness)
    mark_sensitive()
    form = BenefitForm()
    form.authorised_by_id.choices = _authoriser_choices(witness)
    if request.method == "GET":
        form.authorised_by_id.data = current_user.id
        form.provided_on.data = today_utc()
    error = None
    if form.validate_on_submit():
        authoriser = db.session.get(User, form.authorised_by_id.data)
        result = run_operation(
            form,
            lambda: operations.record_benefit(
                current_user, witness, kind=form.kind.data, description=form.description.data,
                amount=form.amount.data or None, currency=form.currency.data or None,
                provided_on=form.provided_on.data, provided_until=form.provided_until.data,
                provider=form.provider.data, rationale=form.rationale.data, authorised_by=authoriser,
            ),
            lambda entry: f"Benefit #{entry.id} recorded.",
            url_for("ledger.witness_ledger", witness_id=witness.id),
        )
        if isinstance(result, BaseResponse):
            return result
        error = result
    return render_template("ledger/benefit_form.html", form=form, witness=witness, error=error)


@bp.route("/benefits/<int:entry_id>/correct", methods=["GET", "POST"])
@permission_required(Permission.BENEFIT_RECORD)
@submitted_once
def correct_benefit(entry_id: int) -> str | BaseResponse:
    entry = _entry_or_404(entry_id)
    witness = entry.witness
    mark_sensitive()
    form = CorrectionForm()
    form.authorised_by_id.choices = _authoriser_choices(witness)
    if request.method == "GET":
        form.authorised_by_id.data = current_user.id
    error = None
    if form.validate_on_submit():
        authoriser = db.session.get(User, form.authorised_by_id.data)
        result = run_operation(
            form,
            lambda: operations.correct_benefit(
                current_user, entry, correction_type=form.correction_type.data, reason=form.reason.data,
                amount=form.amount.data or None, authorised_by=authoriser,
            ),
            lambda correction: f"Correction #{correction.id} recorded; #{entry.id} stays on the ledger.",
            url_for("ledger.witness_ledger", witness_id=witness.id),
        )
        if isinstance(result, BaseResponse):
            return result
        error = result
    return render_template("ledger/correction_form.html", form=form, witness=witness, entry=entry, error=error)


@bp.route("/witnesses/<int:witness_id>/concerns/new", methods=["GET", "POST"])
@permission_required(Permission.CONCERN_RAISE)
@submitted_once
def new_concern(witness_id: int) -> str | BaseResponse:
    witness = get_or_404(Witness, witness_id, can_view_witness)
    mark_sensitive()
    form = ConcernForm()
    if request.method == "GET":
        form.entry_id.data = request.args.get("entry", "")
    entry = None
    if form.entry_id.data:
        entry = db.session.get(BenefitEntry, id_arg(form.entry_id.data))
        if entry is None or entry.witness_id != witness.id:
            abort(404)
    return form_page(
        form, lambda: operations.raise_concern(current_user, witness, form.description.data, entry),
        "Concern recorded; the liaison officer's supervisor will see it until it is resolved.",
        url_for("ledger.witness_ledger", witness_id=witness.id),
        "ledger/concern_form.html",
        witness=witness,
        entry=entry,
    )


@bp.route("/concerns/")
@permission_required(Permission.CONCERN_REVIEW)
def concerns() -> str:
    mark_sensitive()
    return render_template("ledger/concerns.html", concerns=operations.open_concerns_for_supervisor(current_user))


@bp.route("/concerns/<int:concern_id>/resolve", methods=["GET", "POST"])
@permission_required(Permission.CONCERN_REVIEW)
def resolve_concern(concern_id: int) -> str | BaseResponse:
    concern = db.session.get(BenefitConcern, concern_id)
    if concern is None or not operations.supervises(current_user, concern.witness):
        abort(404)
    mark_sensitive()
    form = ResolutionForm()
    return form_page(form, lambda: operations.resolve_concern(current_user, concern, form.resolution.data),
                     "Concern resolved.", url_for("ledger.concerns"), "ledger/resolve_form.html", concern=concern)


# ---- disclosure ----------------------------------------------------------------------------------


def _render_schedule(schedule: operations.Schedule, filename: str, record_url: str) -> Any:
    fmt = "csv" if request.args.get("format") == "csv" else "html"
    operations.record_schedule_view(current_user, schedule, fmt)
    db.session.commit()
    if fmt == "csv":
        response = Response(schedule_csv(schedule, current_user), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    form = DisclosureForm()
    form.disclosed_on.data = today_utc()
    remember_groups(current_user, [s.witness.id for s in schedule.sections])
    return render_template(
        "ledger/disclosure.html", schedule=schedule, form=form, record_url=record_url,
        schedule_totals=visible_totals(schedule, current_user),
        can_record=has_permission(current_user, Permission.DISCLOSURE_RECORD),
    )


@bp.route("/witnesses/<int:witness_id>/disclosure")
@permission_required(Permission.DISCLOSURE_VIEW)
def witness_disclosure(witness_id: int) -> Any:
    witness = get_or_404(Witness, witness_id, can_view_witness)
    mark_sensitive()
    return _render_schedule(
        operations.build_schedule(witness=witness), f"disclosure-{witness.reference}",
        url_for("ledger.record_witness_disclosure", witness_id=witness.id),
    )


@bp.route("/cases/<int:case_id>/disclosure")
@permission_required(Permission.DISCLOSURE_VIEW)
def case_disclosure(case_id: int) -> Any:
    case = get_or_404(Case, case_id, can_view_case)
    mark_sensitive()
    return _render_schedule(
        operations.build_schedule(case=case), f"disclosure-case-{case.id}",
        url_for("ledger.record_case_disclosure", case_id=case.id),
    )


def _record(form: DisclosureForm, target: str, **scope: Any) -> BaseResponse | tuple[str, int]:
    if form.validate_on_submit():
        result = attempt(lambda: operations.record_disclosure(
            current_user, disclosed_on=form.disclosed_on.data, note=form.note.data or "", **scope), form)
        if result.ok:
            flash("Disclosure to the defence recorded.", "success")
            return redirect(target)
        error = result.error or result.message
    else:
        error = "Give the date the schedule was disclosed to the defence."
    # Back to the schedule with the form as typed and the reason by the field.
    mark_sensitive()
    schedule = operations.build_schedule(**scope)
    return render_template(
        "ledger/disclosure.html", schedule=schedule, form=form, record_url=request.path, error=error,
        schedule_totals=visible_totals(schedule, current_user),
        can_record=True,
    ), 422


@bp.route("/witnesses/<int:witness_id>/disclosure/record", methods=["POST"])
@permission_required(Permission.DISCLOSURE_RECORD)
@submitted_once
def record_witness_disclosure(witness_id: int) -> BaseResponse | tuple[str, int]:
    witness = get_or_404(Witness, witness_id, can_view_witness)
    return _record(DisclosureForm(), url_for("ledger.witness_disclosure", witness_id=witness.id), witness=witness)


@bp.route("/cases/<int:case_id>/disclosure/record", methods=["POST"])
@permission_required(Permission.DISCLOSURE_RECORD)
@submitted_once
def record_case_disclosure(case_id: int) -> BaseResponse | tuple[str, int]:
    case = get_or_404(Case, case_id, can_view_case)
    return _record(DisclosureForm(), url_for("ledger.case_disclosure", case_id=case.id), case=case)


# ---- administration: checkpoints and verification (no witness data) ------------------------------


@bp.route("/admin/ledger")
@permission_required(Permission.LEDGER_VERIFY)
def admin() -> str:
    runs = db.session.execute(sa.select(VerificationRun).order_by(VerificationRun.id.desc()).limit(10)).scalars().all()
    checkpoints = db.session.execute(
        sa.select(LedgerCheckpoint).order_by(LedgerCheckpoint.id.desc()).limit(10)
    ).scalars().all()
    return render_template(
        "ledger/admin.html", runs=runs, last=runs[0] if runs else None, checkpoints=checkpoints,
        head=operations.current_head(), form=ActionForm(),
    )


@bp.route("/admin/ledger/checkpoint", methods=["POST"])
@permission_required(Permission.LEDGER_VERIFY)
def admin_checkpoint() -> BaseResponse:
    if not ActionForm().validate_on_submit():
        abort(400)
    checkpoint = operations.create_checkpoint(current_user)
    db.session.commit()
    flash(f"Checkpoint {checkpoint.id} signed at sequence {checkpoint.sequence}.", "success")
    return redirect(url_for("ledger.admin"))


@bp.route("/admin/ledger/verify", methods=["POST"])
@permission_required(Permission.LEDGER_VERIFY)
def admin_verify() -> BaseResponse:
    if not ActionForm().validate_on_submit():
        abort(400)
    run = operations.verify_ledger(current_user, trigger="web")
    db.session.commit()
    flash(run.message, "success" if run.ok else "error")
    return redirect(url_for("ledger.admin"))
