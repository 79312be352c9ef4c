"""Forms for the services pages; each field's errors show beside it (operations name the field)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from ..countries import COUNTRIES
from ..enums import choices
from ..forms import OnceForm, choose, chosen
from ..permissions import FieldGroup
from .models import (
    NEXT_STATUSES,
    SERVICES,
    Method,
    NeedStatus,
    OrganisationKind,
    Purpose,
    Topic,
)

SERVICE_CHOICES = {code: words for code, (_, words) in SERVICES.items()}
GROUP_CHOICES = {str(g): str(g).replace("_", " ") for g in FieldGroup}
UTC_NOTE = "Your local time as UTC (empty: now)."


# No presets on this page for what a witness was told, what they consented to and how, or whether a
# referral leaves now: each is recorded as someone chose it, never as the first item of a list.
class InformationForm(OnceForm):
    topic = SelectField("What was explained", choices=choose(choices(Topic)), default="")
    method = SelectField("How", choices=choose(choices(Method)), default="")
    language = StringField("Language", validators=[Length(max=35)])
    interpreter = StringField("Interpreter (name or service; empty: none)", validators=[Optional(), Length(max=200)])
    given_at = DateTimeLocalField("When (UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                  description=UTC_NOTE)
    questions = TextAreaField("What the witness asked", validators=[Optional(), Length(max=5000)])


class ConsentForm(OnceForm):
    purpose = SelectField("What the witness agreed to", choices=choose(choices(Purpose)), default="")
    organisation_id = SelectField("Organisation (empty: any in the directory for the service)", coerce=int,
                                  validators=[Optional()])
    service = SelectField("Service", choices={"": "—", **SERVICE_CHOICES}, validators=[Optional()])
    detail = StringField("Channel or family member", validators=[Optional(), Length(max=300)])
    scope = SelectMultipleField("Field groups that may be shared", choices=GROUP_CHOICES, validators=[Optional()])
    given_how = SelectField("How the consent was given", choices=choose(choices(Method)), default="")
    given_at = DateTimeLocalField("When (UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                  description=UTC_NOTE)
    guardian_involvement = TextAreaField("Child: how the guardian was involved", validators=[Optional()])
    child_view = TextAreaField("Child: how the child's own view was heard", validators=[Optional()])


class WithdrawForm(FlaskForm):
    note = TextAreaField("What the witness said (optional)", validators=[Optional(), Length(max=2000)])


class ReferralForm(OnceForm):
    organisation_id = SelectField("Organisation", coerce=int)
    service = SelectField("Service", choices=SERVICE_CHOICES)
    consent_id = SelectField("Under the consent", coerce=int)
    field_groups = SelectMultipleField("Field groups to send", choices=GROUP_CHOICES, validators=[Optional()],
                                       description="The pseudonymous reference always goes; nothing else unless chosen."
                                       )
    no_terms_reason = TextAreaField("Why send to an organisation without confidentiality terms",
                                    validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    send = SelectField("Send now by email", choices=choose({"yes": "Yes, send now", "no": "No, keep it pending"}),
                       default="", validators=[chosen("Choose whether to send the referral now or keep it pending.")])


class ReferralStatusForm(FlaskForm):
    status = SelectField("Status", choices=choose({s: s.replace("_", " ").capitalize() for s in
                                                   sorted({s for n in NEXT_STATUSES.values() for s in n})}), default="",
                         validators=[chosen("Choose the new status of the referral.")])
    reason = TextAreaField("Reason (declined)", validators=[Optional()])
    feedback = TextAreaField("Feedback received", validators=[Optional()])


class NeedForm(FlaskForm):
    status = SelectField("Where it stands", choices=[s.value for s in NeedStatus])
    goal = TextAreaField("Goal", validators=[Optional()])
    organisation_id = SelectField("Responsible organisation", coerce=int, validators=[Optional()])
    review_on = DateField("Review on", validators=[Optional()])


class ReviewForm(OnceForm):
    continues_after = TextAreaField("What continues for the witness after the case")


class OrganisationForm(FlaskForm):
    name = StringField("Name")
    kind = SelectField("Kind", choices=[k.value for k in OrganisationKind])
    services = SelectMultipleField("Services offered", choices=SERVICE_CHOICES, validators=[Optional()])
    areas = StringField("Areas covered", validators=[Optional()])
    country_code = SelectField("Country it works in", choices={"": "—", **COUNTRIES}, validators=[Optional()])
    email = StringField("Email for referrals", validators=[Optional()])
    safe_contact_route = TextAreaField("Safe contact route", validators=[Optional()])
    confidentiality_agreed_on = DateField("Confidentiality terms agreed on", validators=[Optional()])
    confidentiality_document = StringField("Confidentiality terms document", validators=[Optional()])
