"""Forms for cases, defendants, case staff, linking witnesses and moving journeys."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..enums import choices
from ..forms import OnceForm, choose, chosen
from .models import CustodyStatus

STAGES = {"pre_trial": "Pre-trial", "trial": "Trial", "post_trial": "Post-trial", "closed": "Closed"}


class CaseForm(OnceForm):
    reference = StringField("Prosecution reference", validators=[DataRequired(), Length(max=60)])
    court_name = StringField("Court", validators=[DataRequired(), Length(max=200)])
    court_timezone = StringField(
        "Court time zone", validators=[DataRequired(), Length(max=64)],
        description="An IANA name such as Asia/Jakarta or Australia/Sydney.",
    )
    offence_type = StringField("Offence", validators=[DataRequired(), Length(max=120)])


class DefendantForm(OnceForm):
    name = StringField("Defendant's name", validators=[DataRequired(), Length(max=200)])
    # No preset: a defendant preset as remanded would hide one who is out on bail or at large.
    custody_status = SelectField(
        "Custody", choices=choose(choices(CustodyStatus, capitalize=True)), default=""
    )


class CaseStaffForm(OnceForm):
    user_id = SelectField("Prosecutor or liaison officer", coerce=int)


class EndCaseAssignmentForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)],
                         description="Why this person is taken off the case (kept in the audit trail).")


class LinkWitnessForm(OnceForm):
    witness_id = SelectField("Witness", coerce=int)


class TransitionForm(FlaskForm):
    # No preset: moving a witness's journey is a decision, not the first stage in a list.
    to = SelectField("Move to", choices=choose(STAGES), default="", validators=[chosen("Choose the stage to move to.")])
    reason = TextAreaField(
        "Reason", validators=[Optional(), Length(max=2000)],
        description="Required when going back, skipping a stage or closing.",
    )
    override_reason = TextAreaField(
        "Reflection-period override", validators=[Optional(), Length(max=2000)],
        description="Only when moving to trial while the witness is still in the reflection period.",
    )
