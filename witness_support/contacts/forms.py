"""Forms of the contact page; each field's errors show beside it (the operations name the field)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..availability.models import AvoidReason
from ..court.models import AttendanceOutcome
from ..enums import choices
from ..forms import OnceForm, choose
from .models import Channel, Counterpart

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class ContactForm(OnceForm):
    occurred_at = DateTimeLocalField("When", format=LOCAL_FORMATS, validators=[Optional()])
    channel = SelectField("How", choices=choices(Channel, capitalize=True))
    counterpart = SelectField("With", choices=choices(Counterpart, capitalize=True))
    interpreter_language = StringField("Interpreted into (language; empty: no interpreter)",
                                       validators=[Optional(), Length(max=35)])
    interpreter_name = StringField("Interpreter (name or service)", validators=[Optional(), Length(max=200)])
    summary = TextAreaField(
        "Summary", validators=[Length(max=5000)],
        description="Stored encrypted; only those who may see the witness's contact details read it.")
    follow_up_on = DateField("Follow up on", validators=[Optional()],
                             description="Becomes a task for the witness's officer, due that day.")


class CourtNoteForm(ContactForm):
    """A support person's court-day note: the channel is the court day, nothing else."""

    channel = SelectField("How", choices={Channel.COURT_DAY.value: "Court day"})


class DateToAvoidForm(OnceForm):
    first_day = DateField("First day", validators=[Optional()])
    last_day = DateField("Last day (empty: just the first day)", validators=[Optional()])
    reason = SelectField("Reason", choices=choices(AvoidReason, capitalize=True))
    note = TextAreaField("Note (needed for “other”)", validators=[Optional(), Length(max=2000)])


class RemoveForm(FlaskForm):
    """A button: the CSRF token is all it carries."""


class OutcomeForm(FlaskForm):
    # No preset: "attended" preset would record an attendance nobody saw.
    outcome = SelectField("Attendance", choices=choose(choices(AttendanceOutcome, capitalize=True)), default="")
    outcome_reason = TextAreaField("Reason (needed when the witness did not attend)",
                                   validators=[Optional(), Length(max=2000)])
