"""Forms for recording outcomes, custody changes and victim impact statements."""

from __future__ import annotations

from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..enums import choices
from ..forms import CHOOSE, OnceForm
from .models import AppealOutcome, CustodyChange, SentenceKind, StatementStatus, Verdict

NO_SENTENCE = "none"  # the explicit choice "No sentence (yet)": stored as no sentence


class OutcomeForm(OnceForm):
    # No default: a verdict or a sentence nobody chose must not be recorded, so each starts at
    # "Choose…" and is refused, with a message by the field, until someone picks one.
    verdict = SelectField("Verdict", choices=choices(Verdict, capitalize=True, blank=CHOOSE))
    charges = TextAreaField("Charges it concerns", validators=[Optional(), Length(max=5000)])
    sentence_kind = SelectField("Sentence", choices={"": CHOOSE, NO_SENTENCE: "No sentence (yet)",
                                                     **choices(SentenceKind, capitalize=True)})
    sentence_months = IntegerField("Length in months", validators=[Optional(), NumberRange(min=0, max=1200)])
    sentence_details = StringField("Sentence details", validators=[Optional(), Length(max=2000)])
    sentenced_on = DateField("Sentenced on", validators=[Optional()])
    earliest_release_date = DateField("Earliest release date", validators=[Optional()])
    proposed_release_date = DateField(
        "Proposed release date", validators=[Optional()],
        description="The witness is reminded 30 and 7 days before it.",
    )
    appeal_deadline = DateField("Appeal deadline", validators=[Optional()])
    appeal_lodged_by = SelectField("Appeal lodged by", choices={"": "No appeal", "prosecution": "Prosecution",
                                                                "defence": "Defence"})
    appeal_lodged_on = DateField("Appeal lodged on", validators=[Optional()])
    appeal_outcome = SelectField("Appeal outcome", choices=choices(AppealOutcome, capitalize=True, blank="Not decided"))
    compensation_witness_id = SelectField(
        "Compensation order for", coerce=int, validators=[Optional()],
        description="A compensation or restitution order made with the sentence opens a claim for that witness.")
    compensation_amount = StringField("Compensation ordered", validators=[Optional(), Length(max=40)],
                                      description="Such as 5000.00.")
    compensation_currency = StringField("Currency", validators=[Optional(), Length(max=10)],
                                        description="ISO 4217 code, such as EUR.")
    compensation_due_on = DateField("Compensation to be paid by", validators=[Optional()])
    note = TextAreaField("Note for the history", validators=[Optional(), Length(max=2000)])

    def validate_verdict(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError("Choose the verdict.")

    def validate_sentence_kind(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError("Choose the sentence, or “No sentence (yet)”.")

    def show_stored(self, sentence_kind: str | None) -> None:
        """On the change page, an outcome without a sentence shows that choice, not "Choose…"."""
        if not self.is_submitted() and sentence_kind is None:
            self.sentence_kind.data = NO_SENTENCE

    def set_witnesses(self, witnesses: dict[int, str]) -> None:
        self.compensation_witness_id.choices = {0: "No compensation order"} | witnesses

    def values(self) -> dict:
        """The form's data as the operation takes it: blanks become None."""
        data = {name: self[name].data for name in (
            "verdict", "charges", "sentence_kind", "sentence_months", "sentence_details", "sentenced_on",
            "earliest_release_date", "proposed_release_date", "appeal_deadline", "appeal_lodged_by",
            "appeal_lodged_on", "appeal_outcome", "compensation_amount", "compensation_currency",
            "compensation_due_on")}
        data["compensation_witness_id"] = self.compensation_witness_id.data or None
        if data["sentence_kind"] == NO_SENTENCE:
            data["sentence_kind"] = None
        return {k: (None if v == "" else v) for k, v in data.items()}


class CustodyForm(OnceForm):
    # No default: "released" preset would tell the victim of a release nobody recorded.
    custody = SelectField("Custody change", choices=choices(CustodyChange, capitalize=True, blank=CHOOSE))
    on = DateField("On", validators=[DataRequired()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])


class ImpactStatementForm(OnceForm):
    status = SelectField("Status", choices=choices(StatementStatus, capitalize=True))
    sentencing_date = DateField("Sentencing hearing", validators=[Optional()],
                                description="The officer is reminded 10 days before if the statement is still open.")
    due_date = DateField("Due by", validators=[Optional()])
    text = TextAreaField(
        "Statement text (optional)", validators=[Optional(), Length(max=20000)],
        description="The witness may describe the harm; they may not give an opinion on the sentence.",
    )
