"""Web pages: a witness's contacts and dates to avoid, the forms that add to them, and the
attendance outcome of a witness at a court event.

The page is open to whoever may see the witness, and shows each part by field group: the contact
log to those who see `contact` (each read audited, like the witness's contact details), the days to
avoid to all (court logistics), their reasons to those who see `needs`. A support person may log a
court-day note for a witness they are assigned to even without reading the log.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..access import can_view_witness, sees
from ..availability import operations as availability_ops
from ..availability import queries as availability_queries
from ..availability.models import DateToAvoid
from ..court.models import CourtEvent
from ..court.queries import can_view_event
from ..dates import local_to_utc
from ..db import utc_now
from ..extensions import db
from ..forms import form_page, run_action, submitted_once
from ..permissions import FieldGroup, Permission, Role, has_permission
from ..web import get_or_404, id_arg, mark_sensitive, permission_required
from ..witnesses import operations as witness_ops
from ..witnesses.models import Witness
from . import operations, queries
from .forms import ContactForm, CourtNoteForm, DateToAvoidForm, OutcomeForm, RemoveForm
from .models import Channel, WitnessContact

bp = Blueprint("contacts", __name__)
PAGE_SIZE = 25


def _witness(witness_id: int) -> Witness:
    witness = get_or_404(Witness, witness_id, can_view_witness)
    mark_sensitive()
    return witness


def _page(witness: Witness, anchor: str) -> str:
    return url_for("contacts.show", witness_id=witness.id, _anchor=anchor)


def _may_log(witness: Witness) -> bool:
    return has_permission(current_user, Permission.CONTACT_LOG) and sees(current_user, witness, FieldGroup.CONTACT)


def _may_note(witness: Witness) -> bool:
    return (current_user.role == Role.SUPPORT_PERSON and has_permission(current_user, Permission.CONTACT_COURT_NOTE)
            and queries.is_assigned(current_user, witness))


def _may_record_dates(witness: Witness) -> bool:
    return (has_permission(current_user, Permission.DATES_TO_AVOID_RECORD)
            and sees(current_user, witness, FieldGroup.NEEDS))


@bp.route("/witnesses/<int:witness_id>/contacts")
@permission_required(Permission.WITNESS_VIEW)
def show(witness_id: int) -> str:
    witness = _witness(witness_id)
    contacts: list[WitnessContact] = []
    next_after = None
    shows_log = sees(current_user, witness, FieldGroup.CONTACT)
    if shows_log:
        after_id = id_arg(request.args.get("after"))
        after = db.session.get(WitnessContact, after_id) if after_id else None
        if after is not None and after.witness_id != witness.id:
            after = None
        rows = queries.contacts_of(witness.id, after=after, limit=PAGE_SIZE + 1)
        contacts = rows[:PAGE_SIZE]
        next_after = contacts[-1].id if len(rows) > PAGE_SIZE else None
        witness_ops.record_identity_view(current_user, witness, groups={FieldGroup.CONTACT})
        db.session.commit()
    return render_template(
        "contacts/show.html", witness=witness, contacts=contacts, next_after=next_after, shows_log=shows_log,
        dates=availability_queries.dates_of(witness.id, include_removed=True),
        shows_reasons=sees(current_user, witness, FieldGroup.NEEDS), may_log=_may_log(witness),
        may_note=_may_note(witness), may_record_dates=_may_record_dates(witness), remove_form=RemoveForm(),
        timezone=queries.witness_timezone(witness.id),
    )


def _occurred_at(form: ContactForm, tz: str) -> datetime | None:
    """The typed wall-clock time on the witness's clock, as an instant (the operation checks it)."""
    if form.occurred_at.data is None:
        return None
    return local_to_utc("occurred_at", form.occurred_at.data, tz, "court_past")


@bp.route("/witnesses/<int:witness_id>/contacts/new", methods=["GET", "POST"])
@permission_required(Permission.CONTACT_COURT_NOTE)
@submitted_once
def new_contact(witness_id: int) -> str | Response:
    witness = _witness(witness_id)
    if _may_log(witness):
        form: ContactForm = ContactForm()
        title = "Log a contact"
    elif _may_note(witness):
        form = CourtNoteForm()
        title = "Log a court-day note"
    else:
        abort(404)
    tz = queries.witness_timezone(witness.id)
    form.occurred_at.description = f"On the witness's clock, {tz}."
    if not form.is_submitted():
        form.occurred_at.data = queries.local_now(witness.id, utc_now()).replace(second=0, microsecond=0, tzinfo=None)
        if isinstance(form, CourtNoteForm):
            form.channel.data = Channel.COURT_DAY
    return form_page(form, lambda: operations.log_contact(
        current_user, witness, occurred_at=_occurred_at(form, tz), channel=form.channel.data,
        counterpart=form.counterpart.data, summary=form.summary.data,
        interpreter_language=form.interpreter_language.data, interpreter_name=form.interpreter_name.data,
        follow_up_on=form.follow_up_on.data,
    ), lambda c: "Contact logged." + (" A follow-up task was created." if c.task_id else ""),
        # A support person's note: they do not read the log back.
        lambda _: _page(witness, "log") if sees(current_user, witness, FieldGroup.CONTACT)
        else url_for("witnesses.show", witness_id=witness.id),
        "contacts/form.html", witness=witness, title=title, cancel=url_for("contacts.show", witness_id=witness.id))


@bp.route("/witnesses/<int:witness_id>/dates-to-avoid/new", methods=["GET", "POST"])
@permission_required(Permission.DATES_TO_AVOID_RECORD)
@submitted_once
def new_date_to_avoid(witness_id: int) -> str | Response:
    witness = _witness(witness_id)
    if not _may_record_dates(witness):
        abort(404)
    form = DateToAvoidForm()
    return form_page(form, lambda: availability_ops.add_date_to_avoid(
        current_user, witness, first_day=form.first_day.data, last_day=form.last_day.data,
        reason=form.reason.data, note=form.note.data or "",
    ), "Date to avoid recorded: scheduling an event on it will ask for a reason.", _page(witness, "dates"),
        "contacts/form.html", witness=witness, title="Add a date to avoid", cancel=_page(witness, "dates"))


@bp.route("/dates-to-avoid/<int:date_id>/remove", methods=["POST"])
@permission_required(Permission.DATES_TO_AVOID_RECORD)
def remove_date_to_avoid(date_id: int) -> Response:
    entry = get_or_404(DateToAvoid, date_id)
    witness = _witness(entry.witness_id)
    if not _may_record_dates(witness):
        abort(404)
    form = RemoveForm()
    if not form.validate_on_submit():
        abort(400)
    return run_action(lambda: availability_ops.remove_date_to_avoid(current_user, entry),
                      "Date to avoid removed.", _page(witness, "dates"))


@bp.route("/court-events/<int:event_id>/witnesses/<int:witness_id>/outcome", methods=["GET", "POST"])
@permission_required(Permission.ATTENDANCE_OUTCOME_RECORD)
def record_attendance_outcome(event_id: int, witness_id: int) -> str | Response:
    event = get_or_404(CourtEvent, event_id, can_view_event)
    requirement = queries.requirement(event.id, witness_id)
    if requirement is None:
        abort(404)
    mark_sensitive()
    form = OutcomeForm()
    if not form.is_submitted() and requirement.outcome:
        form.outcome.data = requirement.outcome
        form.outcome_reason.data = requirement.outcome_reason
    back = url_for("court.show_event", event_id=event.id, _anchor="req-title")
    return form_page(form, lambda: operations.record_attendance_outcome(
        current_user, requirement, outcome=form.outcome.data, reason=form.outcome_reason.data,
    ), f"Attendance of {requirement.witness.reference} recorded.", back,
        "contacts/outcome.html", event=event, requirement=requirement, cancel=back)
