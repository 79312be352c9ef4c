"""Forms for testimonial aids: record one as needed, and move it along its lifecycle."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..enums import choices
from ..forms import OnceForm, choose, chosen
from .models import AidKind, AidStatus


class AidForm(OnceForm):
    case_id = SelectField("Case", coerce=int, validate_choice=True)
    # No presets: which aid is asked for, and where it stands, are chosen, never preset.
    kind = SelectField("Aid", choices=choose(choices(AidKind, capitalize=True)), default="")
    note = TextAreaField("Note", validators=[Optional(), Length(max=5000)])


class AidStatusForm(FlaskForm):
    status = SelectField("New status", choices=choose(choices(AidStatus, capitalize=True, skip=(AidStatus.NEEDED,))),
                         default="", validators=[chosen("Choose the new status of the aid.")])
    on = DateField("On", validators=[Optional()], description="Date of the application or decision; today if empty.")
    order_reference = StringField("Court order reference", validators=[Optional(), Length(max=100)])
    note = StringField("Note", validators=[Optional(), Length(max=2000)])
