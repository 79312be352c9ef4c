"""Forms for writing, reassigning, commenting on and completing tasks."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import OnceForm


class TaskForm(OnceForm):
    title = StringField("What needs doing", validators=[DataRequired(), Length(max=300)],
                        description="Use the witness's reference, never a name: tasks show in lists.")
    due_on = DateField("Due by", validators=[Optional()])
    assignee_id = SelectField("For", coerce=int, validate_choice=True)
    urgent = BooleanField("Urgent")


class ReassignForm(FlaskForm):
    assignee_id = SelectField("Give to", coerce=int, validate_choice=True)


class CommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=2000)])


class DoneForm(FlaskForm):
    note = StringField("Note", validators=[Optional(), Length(max=2000)])


class TaskFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    view = SelectField("Show", choices={"mine": "Mine", "team": "My team's", "overdue": "Overdue", "done": "Done"},
                       default="mine")
    kind = SelectField("Kind", coerce=str, choices={"": "Any kind"}, default="", validators=[Optional()])
