"""Admin forms: accounts."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..permissions import Role

ROLE_CHOICES = {r.value: r.value.replace("_", " ").capitalize() for r in Role}


class UserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    display_name = StringField("Name shown to colleagues", validators=[Optional(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES)
    password = PasswordField(
        "Initial password", validators=[DataRequired(), Length(max=256)],
        description="At least 12 characters. Tell it to the person by a separate, safe channel.",
    )


class UserStatusForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = SelectField("Account", choices={"1": "Active", "0": "Disabled"})


class UserEditForm(UserStatusForm):
    """Role, status and the supervisor (who sees open concerns about this person's witnesses)."""

    supervisor_id = SelectField(
        "Supervisor", coerce=int,
        description="Sees open concerns about the support given to this person's witnesses.",
    )
