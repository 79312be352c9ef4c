"""Forms for court events and attendance. Times are typed in the court's time zone."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional

from ..enums import choices
from ..forms import CHOOSE, OnceForm, choose
from ..witnesses.models import AssignmentRole
from .models import EventKind

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class CheckboxList(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class EventForm(OnceForm):
    # No preset: the kind decides readiness, aids and notices (a trial day is not a mention).
    kind = SelectField("Kind of event", choices=choose(choices(EventKind, capitalize=True)), default="")
    starts_at = DateTimeLocalField("Starts", format=LOCAL_FORMATS, validators=[DataRequired()])
    ends_at = DateTimeLocalField("Ends", format=LOCAL_FORMATS, validators=[DataRequired()])
    court_name = StringField("Court", validators=[Optional(), Length(max=200)],
                             description="Leave empty for the case's court.")
    room = StringField("Room", validators=[Optional(), Length(max=100)])
    remote_link = BooleanField("Testimony by video link (including from abroad)")
    interpreter_language = StringField("Interpreter needed for", validators=[Optional(), Length(max=35)],
                                       description="Leave empty if no interpreter is needed at this event.")
    witness_ids = CheckboxList("Witnesses required", coerce=int, validate_choice=True)
    reflection_override_reason = TextAreaField(
        "Reflection-period override", validators=[Optional(), Length(max=2000)],
        description="Only when a required witness is still inside their reflection period on that date.",
    )
    avoid_override_reason = TextAreaField(
        "Date-to-avoid override", validators=[Optional(), Length(max=2000)],
        description="Only when a required witness asked not to attend on that date: why the date stands.",
    )


class MoveForm(FlaskForm):
    starts_at = DateTimeLocalField("New start", format=LOCAL_FORMATS, validators=[DataRequired()])
    ends_at = DateTimeLocalField("New end", format=LOCAL_FORMATS, validators=[DataRequired()])
    room = StringField("Room", validators=[Optional(), Length(max=100)])
    # Ids of their own: the event page holds this form beside others with a "reason" (each label
    # must name its own box); the names sent stay the same.
    reason = TextAreaField("Why it moved", validators=[DataRequired(), Length(max=2000)], id="move-reason")
    reflection_override_reason = TextAreaField("Reflection-period override", validators=[Optional(), Length(max=2000)],
                                               id="move-reflection_override_reason")
    avoid_override_reason = TextAreaField("Date-to-avoid override", validators=[Optional(), Length(max=2000)],
                                          id="move-avoid_override_reason")


class CancelForm(FlaskForm):
    reason = TextAreaField("Why it was cancelled", validators=[DataRequired(), Length(max=2000)], id="cancel-reason")


class HeldForm(FlaskForm):
    note = StringField("Note", validators=[Optional(), Length(max=2000)])


class AttendanceForm(OnceForm):
    # An id of its own: the event page also holds the form adding a required witness, whose box
    # is `witness_id` too, and a label must name the right one.
    witness_id = SelectField("In support of", coerce=int, validate_choice=True, id="booking-witness_id")
    user_id = SelectField("Person", coerce=int, validate_choice=True)
    # No preset: the role someone takes for a witness is a decision, not a preset.
    assign_as = SelectField(
        "Their role for the witness, if not yet assigned",
        choices=choices(AssignmentRole, capitalize=True, blank=CHOOSE), default="", validate_choice=False,
        description="Booking someone who is not yet assigned to the witness assigns them too, in this role.",
    )
    override_reason = TextAreaField(
        "Double-booking override", validators=[Optional(), Length(max=2000)],
        description="Only when this person is knowingly booked into overlapping events.",
    )


class RequiredWitnessForm(FlaskForm):
    witness_id = SelectField("Witness", coerce=int, validate_choice=True)
    reflection_override_reason = TextAreaField("Reflection-period override", validators=[Optional(), Length(max=2000)])
    avoid_override_reason = TextAreaField("Date-to-avoid override", validators=[Optional(), Length(max=2000)])
