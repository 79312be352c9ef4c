"""Forms for testimonial aids: record one as needed, and move it along its lifecycle."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..forms import OnceForm, choose, chosen
from .models import AidKind, AidStatus


def _choices(enum: type, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """{value: label}, the choices form WTForms 3.3+ takes without deprecation warnings."""
    return {m.value: m.value.replace("_", " ").capitalize() for m in enum if m.value not in skip}


class AidForm(OnceForm):
    case_id = SelectField("Case", coerce=int, validate_choice=True)
    # No presets: which aid is asked for, and where it stands, are chosen, never preset.
    kind = SelectField("Aid", choices=choose(_choices(AidKind)), default="")
    note = TextAreaField("Note", validators=[Optional(), Length(max=5000)])


class AidStatusForm(FlaskForm):
    status = SelectField("New status", choices=choose(_choices(AidStatus, skip=(AidStatus.NEEDED,))), default="",
                         validators=[chosen("Choose the new status of the aid.")])
    on = DateField("On", validators=[Optional()], description="Date of the application or decision; today if empty.")
    order_reference = StringField("Court order reference", validators=[Optional(), Length(max=100)])
    note = StringField("Note", validators=[Optional(), Length(max=2000)])
