"""The form for a plan revision: a row per measure (kind, details, who is responsible)."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..enums import choices
from ..forms import OnceForm
from .models import MeasureKind

# Empty rows are ignored, so a plan of a few measures leaves the rest blank.
MEASURE_ROWS = 8


class MeasureForm(Form):
    kind = SelectField("Measure", choices=choices(MeasureKind, blank="—"),
                       validators=[Optional()])
    text = StringField("Details", validators=[Optional(), Length(max=2000)])
    responsible = StringField("Responsible", validators=[Optional(), Length(max=200)])


class RevisionForm(OnceForm):
    measures = FieldList(FormField(MeasureForm), label="Measures", min_entries=MEASURE_ROWS,
                         max_entries=MEASURE_ROWS)
    review_on = DateField("Next review", validators=[Optional()])
    risk_assessment_id = SelectField("The risk assessment it answers", coerce=int, validators=[Optional()])
    task_id = SelectField("Completes the task", coerce=int, validators=[Optional()],
                          description="Saving the revision completes the task and links the two.")
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=5000)],
                            description="What changed and why, in a few lines.")

    def measure_rows(self) -> list[dict[str, Any]]:
        """The rows with anything in them, for the operation to judge."""
        return [{"kind": row.kind.data or None, "text": row.text.data or "", "responsible": row.responsible.data or ""}
                for row in self.measures if row.kind.data or (row.text.data or "").strip()
                or (row.responsible.data or "").strip()]
