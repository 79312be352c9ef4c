"""Forms of break-glass: opening a witness, the supervisor's review, the witness's flag."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..forms import OnceForm


class BreakGlassForm(OnceForm):
    # The reason is checked by the operation, so that a refusal for want of one is audited too.
    reference = StringField("Witness reference", validators=[Length(max=20)],
                            description="The pseudonymous reference, e.g. W-2026-123456.")
    reason = TextAreaField("Why you need to open this witness", validators=[Length(max=4000)],
                           description="The witness's officer and a supervisor read it. Do not write the "
                                       "witness's name, address or phone here.")


class ReviewForm(FlaskForm):
    note = TextAreaField("Review note", validators=[Optional(), Length(max=2000)])


class NoBreakGlassForm(FlaskForm):
    no_break_glass = BooleanField("Closed to break-glass")
