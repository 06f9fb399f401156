"""The forms that issue a questionnaire and receive a returned one."""

from flask_wtf.file import FileField, FileRequired
from wtforms import DateField
from wtforms.validators import InputRequired

from registry.core.fields import ChoiceField, Form
from registry.core.i18n import lazy_gettext as _l
from registry.questionnaires.models import WorkbookLanguage


class IssueForm(Form):
    """When the answers are due and the language of the workbook."""

    due_on = DateField(_l("Answer by"), validators=[InputRequired()])
    language = ChoiceField(_l("Language of the workbook"), WorkbookLanguage)


class ReturnedForm(Form):
    """A returned questionnaire workbook."""

    workbook = FileField(_l("Returned questionnaire (.xlsx)"), validators=[FileRequired()])
