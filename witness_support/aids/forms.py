"""Forms for testimonial aids: record one as needed, and move it along its lifecycle."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..enums import choices
from ..forms import OnceForm
from .models import AidKind, AidStatus


class AidForm(OnceForm):
    case_id = SelectField("Case", coerce=int, validate_choice=True)
    kind = SelectField("Aid", choices=choices(AidKind, capitalize=True))
    note = TextAreaField("Note", validators=[Optional(), Length(max=5000)])


class AidStatusForm(FlaskForm):
    status = SelectField("New status", choices=choices(AidStatus, capitalize=True, skip=(AidStatus.NEEDED,)))
    on = DateField("On", validators=[Optional()], description="Date of the application or decision; today if empty.")
    order_reference = StringField("Court order reference", validators=[Optional(), Length(max=100)])
    note = StringField("Note", validators=[Optional(), Length(max=2000)])
