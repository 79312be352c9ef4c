"""Forms for remedies. Amounts are typed as text: the operation reads them as exact decimals and
puts its message next to the field, the same words the API gives."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..forms import OnceForm, choose
from .models import (
    PERMIT_WORDS,
    ROUTE_WORDS,
    Arose,
    CaseDependence,
    ChargeDecision,
    ClaimStatus,
    HeadOfLoss,
    Offence,
    PropertyKind,
    Respondent,
)


def _words(values: type) -> dict[str, str]:
    return {v.value: v.value.replace("_", " ").capitalize() for v in values}


class ClaimForm(OnceForm):
    # No presets below for a route, an offence, a decision or how a permit depends on the case: each
    # is a choice someone makes, and one left as preset would be saved by inattention.
    route = SelectField("Route", choices=choose({k.value: w.capitalize() for k, w in ROUTE_WORDS.items()}), default="")
    respondent = SelectField("Against", choices=_words(Respondent))
    case_id = SelectField("Case", coerce=int, validators=[Optional()])
    defendant_id = SelectField("Defendant (a claim against a defendant)", coerce=int, validators=[Optional()])
    respondent_name = StringField("Name of the employer or other respondent", validators=[Length(max=200)])
    heads_of_loss = SelectMultipleField("Heads of loss", choices=_words(HeadOfLoss), validators=[Optional()])
    amount_claimed = StringField("Amount claimed", description="Such as 1250.00.", validators=[Length(max=40)])
    claimed_currency = StringField("Currency claimed", description="ISO 4217 code, such as EUR.",
                                   validators=[Length(max=10)])
    limitation_on = DateField("Limitation period ends", validators=[Optional()])
    filing_due_on = DateField("Filing deadline", validators=[Optional()])
    filed_on = DateField("Filed on", validators=[Optional()])
    hearing_on = DateField("Hearing", validators=[Optional()])
    status = SelectField("Status", choices={s.value: s.value.capitalize() for s in ClaimStatus
                                            if s not in (ClaimStatus.PAID, ClaimStatus.AWARDED)})
    acting = StringField("Lawyer or organisation acting", validators=[Length(max=200)])


class AwardForm(OnceForm):
    amount_awarded = StringField("Amount awarded", description="Such as 1250.00.", validators=[Length(max=40)])
    awarded_currency = StringField("Currency", description="ISO 4217 code, such as EUR.",
                                   validators=[Length(max=10)])
    awarded_on = DateField("Awarded on", validators=[Optional()])
    payment_due_on = DateField("Payment due by", validators=[Optional()])
    award_reason = TextAreaField("Why the award is more than was claimed (only then)",
                                 validators=[Optional(), Length(max=2000)])


class PaymentForm(OnceForm):
    amount = StringField("Amount paid", description="Such as 250.00.", validators=[Length(max=40)])
    currency = StringField("Currency", description="ISO 4217 code, such as EUR.", validators=[Length(max=10)])
    paid_on = DateField("Paid on", validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])


class PermitForm(OnceForm):
    kind = SelectField("Kind of permit", choices={k.value: w.capitalize() for k, w in PERMIT_WORDS.items()})
    number = StringField("Permit number", validators=[Length(max=100)])
    issued_on = DateField("Issued on", validators=[Optional()])
    expires_on = DateField("Expires on", validators=[Optional()])
    depends_on_case = SelectField("How it depends on the case", choices=choose({
        CaseDependence.COOPERATION.value: "While the witness cooperates",
        CaseDependence.PROCEEDINGS.value: "Until the proceedings end",
        CaseDependence.INDEPENDENT.value: "Not on the case",
    }), default="")
    case_id = SelectField("Case", coerce=int, validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])


class ChargeForm(OnceForm):
    offence = SelectField("Offence", choices=choose(_words(Offence)), default="")
    details = TextAreaField("Details", validators=[Optional(), Length(max=2000)])
    arose_from_trafficking = SelectField("Arose from the trafficking", choices=_words(Arose),
                                         default=Arose.UNKNOWN.value)
    decision = SelectField("Prosecutor's decision", choices=choose(_words(ChargeDecision)), default="")
    decided_on = DateField("Decided on", validators=[Optional()])


class DecisionForm(FlaskForm):
    decision = SelectField("Prosecutor's decision", choices=_words(ChargeDecision))
    decided_on = DateField("Decided on", validators=[Optional()])


class PropertyForm(OnceForm):
    kind = SelectField("Item", choices=_words(PropertyKind))
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    taken_on = DateField("Taken on", validators=[Optional()])
    taken_by = StringField("Taken by", validators=[Length(max=200)])
    exhibit_reference = StringField("Exhibit reference", validators=[Length(max=100)])
    held_at = StringField("Held at", validators=[Length(max=200)])
    needed_urgently = BooleanField("The witness needs it urgently")
    needed_for = StringField("Needed for", description="A passport for a residence application, say.",
                             validators=[Length(max=300)])
    case_id = SelectField("Case", coerce=int, validators=[Optional()])


class ReturnForm(FlaskForm):
    return_requested_on = DateField("Return requested on", validators=[Optional()])
    collectable_from = DateField("Can be collected from", validators=[Optional()])
    returned_on = DateField("Returned or released on", validators=[Optional()])
    not_returned_reason = TextAreaField("Why it is not returned", validators=[Optional(), Length(max=2000)])
