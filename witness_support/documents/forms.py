"""The upload form: what the document is attached to, its field group, and the file.

The file's type is judged by its content in the operation (filetypes.py); the form never looks at
the file's name or the browser's Content-Type."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..forms import OnceForm
from ..permissions import FieldGroup
from .queries import Target

DEFAULT_CHOICE = "The usual group for what it is attached to"


class UploadForm(OnceForm):
    attached = SelectField("Attached to", validators=[InputRequired()])
    field_group = SelectField(
        "Who may see it (field group)", validate_choice=False,
        description="Only people who see this group of the witness (of every witness, for a case's papers) "
                    "may list or download it. Usual: needs for the witness's own papers and impact statements, "
                    "court logistics for aid applications, court orders and outcomes.",
    )
    file = FileField("File", validators=[FileRequired("Choose a file to upload.")],
                     description="PDF, PNG, JPEG or WebP images, and office documents (.docx, .xlsx, .pptx, .odt, "
                                 ".ods, .odp).")

    def offer(self, targets: list[Target], groups: frozenset[FieldGroup], chosen: str | None = None) -> None:
        """The choices: what this page can attach to, and the groups the uploader sees here."""
        self.attached.choices = [(t.key, t.label) for t in targets]
        if chosen and not self.is_submitted() and any(t.key == chosen for t in targets):
            self.attached.data = chosen
        self.field_group.choices = [("", DEFAULT_CHOICE)] + [
            (str(g), str(g).replace("_", " ")) for g in FieldGroup if g in groups
        ]


class RemoveForm(FlaskForm):
    """Withdraw a document: the reason is kept on its tombstone for everyone who sees it."""

    reason = TextAreaField(
        "Why is it removed?", validators=[InputRequired("Say why the document is removed."), Length(max=2000)],
        description="Shown, with your name and the time, to everyone who may see the document. The file itself "
                    "is deleted and cannot be downloaded again.",
    )
