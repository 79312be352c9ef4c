"""Forms of the benefits ledger."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..enums import choices
from ..forms import OnceForm, choose, chosen
from .models import BenefitKind, CorrectionType


class BenefitForm(OnceForm):
    # No preset: the kind decides who must authorise it, and the disclosure report reads it.
    kind = SelectField("Kind of benefit", choices=choose(choices(BenefitKind, capitalize=True)), default="")
    description = TextAreaField("What was provided", validators=[DataRequired(), Length(max=2000)])
    amount = StringField(
        "Amount", validators=[Optional(), Length(max=20)],
        description="Leave empty for a benefit without a money value (a visa, counselling).",
    )
    currency = StringField(
        "Currency", validators=[Optional(), Length(max=3)], description="ISO 4217 code, e.g. IDR, THB, USD."
    )
    provided_on = DateField("Provided on (first day)", validators=[DataRequired()])
    provided_until = DateField(
        "Until (last day)", validators=[Optional()], description="For recurring support such as accommodation."
    )
    provider = StringField("Providing agency", validators=[DataRequired(), Length(max=200)])
    rationale = TextAreaField(
        "The need it meets", validators=[DataRequired(), Length(max=5000)],
        description="Why the witness needed this, in at least a sentence. The defence will read it.",
    )
    authorised_by_id = SelectField(
        "Authorised by", coerce=int,
        description="Some kinds and larger amounts need a second person: someone other than you.",
    )


class CorrectionForm(OnceForm):
    # No preset: reversing an entry and adjusting its amount say different things to the defence.
    correction_type = SelectField(
        "Correction", choices=choose({CorrectionType.REVERSAL.value: "Reverse it (it did not happen as recorded)",
                                      CorrectionType.ADJUSTMENT.value: "Adjust the amount"}), default="",
        validators=[chosen("Choose whether to reverse the entry or adjust its amount.")],
    )
    amount = StringField(
        "Difference", validators=[Optional(), Length(max=20)],
        description="Adjustments only: positive to add, negative to take away, e.g. -20.00.",
    )
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=5000)])
    authorised_by_id = SelectField("Authorised by", coerce=int)


class ConcernForm(OnceForm):
    entry_id = HiddenField()
    description = TextAreaField(
        "Your concern", validators=[DataRequired(), Length(max=5000)],
        description="What suggests misuse or abuse of support. Refer to the witness by reference only.",
    )


class ResolutionForm(FlaskForm):
    resolution = TextAreaField("How it was addressed", validators=[DataRequired(), Length(max=5000)])


class DisclosureForm(OnceForm):
    disclosed_on = DateField("Disclosed to the defence on", validators=[DataRequired()])
    note = StringField("Note", validators=[Optional(), Length(max=2000)], description="E.g. how it was served.")


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""
