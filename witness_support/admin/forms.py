"""Admin forms: invitations, account settings, teams, the audit trail filter."""

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..dates import InRange
from ..forms import CHOOSE
from ..permissions import Role

# SelectChoice rather than tuples: tuples are deprecated from WTForms 3.3.
ROLE_CHOICES = [SelectChoice(r.value, r.value.replace("_", " ").capitalize()) for r in Role]
ACTIVE_CHOICES = [SelectChoice("1", "Active"), SelectChoice("0", "Disabled")]


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InviteForm(FlaskForm):
    """No password field: the invited person chooses it from the emailed link."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    display_name = StringField("Name shown to colleagues", validators=[Optional(), Length(max=120)])
    # No preset: the first role is the administrator's, which nobody should be given by inattention.
    role = SelectField("Role", choices=[SelectChoice("", CHOOSE), *ROLE_CHOICES], default="")
    teams = CheckboxListField("Teams", coerce=int, choices=[], validate_choice=True)


# Kept under its first name for code that imports it.
UserForm = InviteForm


class UserStatusForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = SelectField("Account", choices=ACTIVE_CHOICES)
    teams = CheckboxListField("Teams", coerce=int, choices=[], validate_choice=True)


class TeamForm(FlaskForm):
    name = StringField("Team name", validators=[DataRequired(), Length(max=80)])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    user = StringField("User email", validators=[Optional(), Length(max=254)])
    witness = StringField("Witness reference", validators=[Optional(), Length(max=40)])
    # Chosen from the actions on the trail (set by the view); a name no event has finds nothing.
    action = SelectField("Action", choices=[], validate_choice=False, validators=[Optional(), Length(max=80)])
    date_from = DateField("From (UTC date)", validators=[Optional(), InRange("search")])
    date_to = DateField("To (UTC date)", validators=[Optional(), InRange("search")])


class UserEditForm(UserStatusForm):
    """Role, status and the supervisor (who sees open concerns about this person's witnesses)."""

    supervisor_id = SelectField(
        "Supervisor", coerce=int,
        description="Sees open concerns about the support given to this person's witnesses.",
    )


class HandoverForm(FlaskForm):
    receivers = SelectMultipleField(
        "Hand over to", coerce=int, validators=[DataRequired(message="Choose at least one person.")],
        description="One person takes everything; several share the witnesses out, fewest current witnesses first.",
    )
    reason = StringField("Reason", validators=[Optional(), Length(max=500)], description="Leave, leaving, rebalancing…")
