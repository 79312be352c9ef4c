"""Forms for witnesses, risk assessments and support assignments."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import OnceForm
from .models import AgeAssessment, AssignmentRole, Participation, RiskLevel


def _choices(enum: type) -> dict[str, str]:
    """{value: label}, the choices form WTForms 3.3+ takes without deprecation warnings."""
    return {member.value: member.value.replace("_", " ").capitalize() for member in enum}


class WitnessForm(OnceForm):
    legal_name = StringField("Legal name", validators=[DataRequired(), Length(max=200)])
    date_of_birth = DateField("Date of birth", validators=[Optional()])
    presumed_child = BooleanField("Presumed to be under 18 (age not proven)")
    age_assessment = SelectField("Age assessment", choices=_choices(AgeAssessment), default="none")
    gender = StringField("Gender", validators=[Optional(), Length(max=40)])
    nationality = StringField("Nationality", validators=[Optional(), Length(max=80)])
    preferred_language = StringField(
        "Preferred language", validators=[DataRequired(), Length(max=35)],
        description="The language the witness understands best, e.g. Indonesian, Thai, Khmer.",
    )
    interpreter_language = StringField(
        "Interpreter needed for", validators=[Optional(), Length(max=35)],
        description="Leave empty if no interpreter is needed.",
    )
    contact_details = TextAreaField("Contact details", validators=[Optional(), Length(max=2000)])
    address = TextAreaField("Address", validators=[Optional(), Length(max=2000)])
    participation = SelectField("Participation in the prosecution", choices=_choices(Participation))
    reflection_start = DateField("Reflection period starts", validators=[Optional()])
    reflection_end = DateField(
        "Reflection period ends", validators=[Optional()],
        description="Leave empty for the default length.",
    )


STAGE_CHOICES = {"pre_trial": "Pre-trial", "trial": "Trial", "post_trial": "Post-trial"}


class RiskAssessmentForm(OnceForm):
    stage = SelectField("Stage", choices=STAGE_CHOICES)
    level = SelectField("Risk level", choices=_choices(RiskLevel))
    assessed_on = DateField("Assessed on", validators=[DataRequired()])
    next_review_on = DateField("Next review", validators=[DataRequired()])
    threats = TextAreaField("Threats", validators=[Optional(), Length(max=5000)])
    measures = TextAreaField("Protective measures", validators=[Optional(), Length(max=5000)])


class AssignmentForm(OnceForm):
    user_id = SelectField("Person", coerce=int, validate_choice=True)
    role = SelectField("Role", choices=_choices(AssignmentRole))
    starts_on = DateField("From", validators=[Optional()])
    ends_on = DateField("Until", validators=[Optional()])


class EndAssignmentForm(FlaskForm):
    reason = StringField("Reason", validators=[Optional(), Length(max=500)])


class NameSearchForm(FlaskForm):
    """Sent by POST: a name in a URL would reach browser history, proxy and access logs."""

    name = StringField("Legal name (exact)", validators=[DataRequired(), Length(max=200)])
