"""Forms for witnesses, risk assessments and support assignments."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..countries import COUNTRIES
from ..enums import choices
from ..forms import OnceForm, choose
from .models import AgeAssessment, AssignmentRole, Participation, RiskLevel


class WitnessForm(OnceForm):
    legal_name = StringField("Legal name", validators=[DataRequired(), Length(max=200)])
    date_of_birth = DateField("Date of birth", validators=[Optional()])
    presumed_child = BooleanField("Presumed to be under 18 (age not proven)")
    age_assessment = SelectField("Age assessment", choices=choices(AgeAssessment, capitalize=True), default="none")
    gender = StringField("Gender", validators=[Optional(), Length(max=40)])
    nationality = StringField("Nationality", validators=[Optional(), Length(max=80)])
    country_of_origin = SelectField("Country of origin", choices={"": "— not recorded", **COUNTRIES},
                                    validators=[Optional()])
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
    participation = SelectField("Participation in the prosecution", choices=choices(Participation, capitalize=True))
    reflection_start = DateField("Reflection period starts", validators=[Optional()])
    reflection_end = DateField(
        "Reflection period ends", validators=[Optional()],
        description="Leave empty for the default length.",
    )


STAGE_CHOICES = {"pre_trial": "Pre-trial", "trial": "Trial", "post_trial": "Post-trial"}


class RiskAssessmentForm(OnceForm):
    stage = SelectField("Stage", choices=STAGE_CHOICES)
    # No preset: a risk level nobody chose must not be saved as "low".
    level = SelectField("Risk level", choices=choose(choices(RiskLevel, capitalize=True)), default="")
    assessed_on = DateField("Assessed on", validators=[DataRequired()])
    next_review_on = DateField("Next review", validators=[DataRequired()])
    threats = TextAreaField("Threats", validators=[Optional(), Length(max=5000)])
    measures = TextAreaField("Protective measures", validators=[Optional(), Length(max=5000)])


class AssignmentForm(OnceForm):
    user_id = SelectField("Person", coerce=int, validate_choice=True)
    # No preset: the role someone takes for a witness is a decision, not a preset (as on a booking).
    role = SelectField("Role", choices=choose(choices(AssignmentRole, capitalize=True)), default="")
    starts_on = DateField("From", validators=[Optional()])
    ends_on = DateField("Until", validators=[Optional()])


class EndAssignmentForm(FlaskForm):
    reason = StringField("Reason", validators=[Optional(), Length(max=500)])


class NameSearchForm(FlaskForm):
    """Sent by POST: a name in a URL would reach browser history, proxy and access logs.

    `q` is a reference (or its beginning) or any words of a name; `name` (no box on the page,
    kept for existing links and scripts) is the whole legal name, matched exactly."""

    q = StringField(
        "Name or reference", validators=[Optional(), Length(max=200)],
        description="A reference such as W-2026-3448, or any part of a name: accents and case do not matter.",
    )
    name = StringField("Legal name (exact)", validators=[Optional(), Length(max=200)])

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001 - WTForms' signature
        if not super().validate(extra_validators):
            return False
        if not (self.q.data or "").strip() and not (self.name.data or "").strip():
            self.q.errors = ["Enter a reference or a name."]
            return False
        return True


_FILTER_STAGES = {"": "Any stage", "pre_trial": "Pre-trial", "trial": "Trial", "post_trial": "Post-trial",
                  "closed": "Closed"}


class WitnessFilterForm(FlaskForm):
    """The list's filters, read from the query string so that a filtered list has its own URL."""

    class Meta:
        csrf = False  # a GET form: it changes nothing

    stage = SelectField("Stage", choices=_FILTER_STAGES, default="", validators=[Optional()])
    risk = SelectField("Risk level", choices=choices(RiskLevel, capitalize=True, blank="Any risk level"), default="",
                       validators=[Optional()])
    participation = SelectField("Participation", choices=choices(Participation, capitalize=True, blank="Any"),
                                default="", validators=[Optional()])
    case = StringField("Case reference", validators=[Optional(), Length(max=60)],
                       description="The reference of a case you work on; suggestions list your latest cases.",
                       render_kw={"list": "case-references", "autocomplete": "off", "spellcheck": "false"})
    court_from = DateField("Next court date from", validators=[Optional()])
    court_to = DateField("Next court date until", validators=[Optional()])
    officer = SelectField("Liaison officer", coerce=str, choices={"": "Anyone"}, default="",
                          validators=[Optional()])
    review_overdue = BooleanField("Risk review overdue")
    reflection = BooleanField("In the reflection period")
    # Set by the view: the references offered under the case box.
    case_suggestions: list[str]

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001 - WTForms' signature
        if not super().validate(extra_validators):
            return False
        if self.court_from.data and self.court_to.data and self.court_to.data < self.court_from.data:
            self.court_to.errors = ["The end of the range cannot come before its start."]
            return False
        return True
