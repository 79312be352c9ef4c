"""The form for a witness's notice preferences."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..enums import choices
from .models import Channel, Kind


class PreferencesForm(FlaskForm):
    channel = SelectField("How to tell them", choices=choices(Channel))
    language = SelectField("Language", choices={"en": "English", "id": "Bahasa Indonesia", "th": "Thai"},
                           description="Texts missing in a language go out in English and you are told.")
    opted_out = SelectMultipleField(
        "They do not want to hear about", choices=choices(Kind, capitalize=True),
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validators=[Optional()],
    )
    email = StringField("Email address", validators=[Optional(), Length(max=254)])
    phone = StringField("Phone number", validators=[Optional(), Length(max=40)])
    postal_address = TextAreaField("Postal address", validators=[Optional(), Length(max=2000)])
    contact_is_safe = BooleanField(
        "This contact is safe: nobody else reads it",
        description="Only then do emails and letters carry the details. Text messages never do.",
    )
    third_party_name = StringField("Contact belongs to (a third party they chose)",
                                   validators=[Optional(), Length(max=200)])
