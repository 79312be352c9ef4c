"""Sign-in, second factor, password and reset forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

NEW_CHOICE_HINT = (
    "At least 12 characters; a few unrelated words make a strong one. Any characters, spaces too. "
    "Common passwords, your email name and the name of this service are refused."
)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


class CodeForm(FlaskForm):
    code = StringField(
        "Code", validators=[DataRequired(), Length(max=20)],
        description="The 6-digit code from your authenticator app, or one of your recovery codes.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off"},
    )


class EnrolForm(FlaskForm):
    code = StringField(
        "Code from the app", validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(max=256)], description=NEW_CHOICE_HINT,
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])


class ApiTokenForm(FlaskForm):
    """A new personal API token; its lifetime is checked by the operation (API_TOKEN_MAX_DAYS)."""

    name = StringField("Name", validators=[DataRequired(), Length(max=80)],
                       description="To recognise the token by, e.g. the script or tool that uses it.")
    days = IntegerField("Works for (days)", validators=[Optional()],
                        description="Leave empty for the default lifetime.",
                        render_kw={"inputmode": "numeric"})
