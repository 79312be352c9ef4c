"""Web pages: record a custody event on the case page; close a journey with the enrolment choice."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..access import can_edit_case, can_view_witness
from ..cases.models import Case, Defendant, Journey
from ..extensions import db
from ..forms import form_page, run_operation, submitted_once
from ..permissions import Permission
from ..web import get_or_404, mark_sensitive, permission_required
from ..witnesses.models import Witness
from . import operations
from .forms import CloseJourneyForm, CustodyEventForm
from .models import CustodyEvent

bp = Blueprint("custody", __name__)


def _aware(value: datetime | None, case: Case) -> datetime | None:
    return value.replace(tzinfo=ZoneInfo(case.court_timezone)) if value is not None else None


@bp.route("/cases/<int:case_id>/custody/new", methods=["GET", "POST"])
@permission_required(Permission.CASE_EDIT)
@submitted_once
def record(case_id: int) -> str | Response:
    case = get_or_404(Case, case_id, can_edit_case)
    mark_sensitive()
    form = CustodyEventForm()
    form.defendant_id.choices = {
        d.id: d.name for d in db.session.execute(
            sa.select(Defendant).where(Defendant.case_id == case.id).order_by(Defendant.id)).scalars()
    }
    form.no_contact.choices = dict(db.session.execute(
        sa.select(Witness.id, Witness.reference).join(Journey, Journey.witness_id == Witness.id)
        .where(Journey.case_id == case.id).order_by(Witness.reference)
    ).all())
    form.corrects_id.choices = {0: "—"} | {
        e.id: f"#{e.id} {e.words} ({e.occurred_at:%Y-%m-%d})" for e in db.session.execute(
            sa.select(CustodyEvent).where(CustodyEvent.case_id == case.id).order_by(CustodyEvent.id.desc())
        ).scalars()
    }
    error = None
    if form.validate_on_submit():
        defendant = db.session.get(Defendant, form.defendant_id.data)
        result = run_operation(
            form,
            lambda: operations.record_custody_event(
                current_user, defendant, kind=form.kind.data, occurred_at=_aware(form.occurred_at.data, case),
                learned_at=_aware(form.learned_at.data, case), source=form.source.data or "",
                note=form.note.data or "", release_date=form.release_date.data, hearing_on=form.hearing_on.data,
                corrects_id=form.corrects_id.data or None, conditions=form.conditions(),
            ),
            "Custody entry recorded; the witnesses of the case will be told.",
            url_for("cases.show", case_id=case.id, _anchor="custody-title"),
        )
        if isinstance(result, Response):
            return result
        error = result
    return render_template("custody/form.html", form=form, case=case, error=error)


@bp.route("/journeys/<int:journey_id>/close", methods=["GET", "POST"])
@permission_required(Permission.JOURNEY_TRANSITION)
def close(journey_id: int) -> str | Response:
    journey = get_or_404(Journey, journey_id)
    if not can_view_witness(current_user, journey.witness):
        abort(404)
    mark_sensitive()
    form = CloseJourneyForm()
    return form_page(
        form,
        lambda: operations.close_journey(current_user, journey, reason=form.reason.data,
                                         stay_enrolled=form.stay_enrolled.data == "yes"),
        "Journey closed.",
        url_for("witnesses.show", witness_id=journey.witness_id, _anchor=f"journey-{journey.id}"),
        "custody/close.html",
        journey=journey,
    )
