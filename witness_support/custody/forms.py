"""The form for recording a custody event, with its bail conditions as fields of their own."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from ..forms import OnceForm, choose
from .models import WORDS


class CustodyEventForm(OnceForm):
    defendant_id = SelectField("Defendant", coerce=int, validators=[DataRequired()])
    # No preset: a preset "arrested" (or any other) would tell the witnesses of an event nobody recorded.
    kind = SelectField("What happened", choices=choose({k.value: w for k, w in WORDS.items()}), default="")
    occurred_at = DateTimeLocalField("When it happened (court time)", format="%Y-%m-%dT%H:%M",
                                     validators=[DataRequired(message="Give when it happened.")])
    learned_at = DateTimeLocalField("When you learned it (court time; empty: now)", format="%Y-%m-%dT%H:%M",
                                    validators=[Optional()])
    source = StringField("Source", validators=[Length(max=200)],
                         description="Court, police, prison, probation… and who told you.")
    release_date = DateField("Release date", validators=[Optional()],
                             description="Sentenced: the expected release. Released on licence: the licence end.")
    hearing_on = DateField("Hearing date", validators=[Optional()], description="Parole or licence hearing only.")
    corrects_id = SelectField("Corrects the entry", coerce=int, validators=[Optional()],
                              description="Only when this entry corrects a wrong one; say what was wrong in the note.")
    no_contact = SelectMultipleField("Bail: no contact with", coerce=int, validators=[Optional()])
    exclusion_zones = TextAreaField("Bail: exclusion zones (one a line)", validators=[Optional(), Length(max=2000)])
    curfew = StringField("Bail: curfew", validators=[Optional(), Length(max=500)])
    reporting = StringField("Bail: reporting", validators=[Optional(), Length(max=500)])
    residence = StringField("Bail: residence", validators=[Optional(), Length(max=500)])
    passport_surrendered = BooleanField("Bail: passport surrendered")
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])

    def conditions(self) -> list[dict]:
        items: list[dict] = [{"kind": "no_contact", "witness_id": w} for w in self.no_contact.data or []]
        items += [{"kind": "exclusion_zone", "text": line.strip()}
                  for line in (self.exclusion_zones.data or "").splitlines() if line.strip()]
        for name in ("curfew", "reporting", "residence"):
            if (getattr(self, name).data or "").strip():
                items.append({"kind": name, "text": getattr(self, name).data})
        if self.passport_surrendered.data:
            items.append({"kind": "passport_surrendered"})
        return items


class CloseJourneyForm(FlaskForm):
    reason = TextAreaField("Why the journey closes", validators=[DataRequired(), Length(max=2000)])
    stay_enrolled = SelectField(
        "Offender notices after the case", default="yes",
        choices={"yes": "Stay enrolled: keep telling the witness about release, parole, escape, recall and "
                        "removal until the sentence ends (default)",
                 "no": "Not enrolled: the witness does not want these notices"},
        description="The witness can change their mind at any time; an opt-out also cancels notices not yet sent.",
    )
