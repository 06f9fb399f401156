"""The form of a question of the bank."""

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField

from registry.core.fields import ChoiceField, Form, nfkc, text, upper
from registry.core.i18n import lazy_gettext as _l
from registry.questionnaires.models import AnswerType, Audience, QuestionArea, QuestionStatus
from registry.supervision.models import Severity


class QuestionForm(Form):
    """A question: its code, area, wording in both languages and how its answer is judged."""

    code = text(_l("Code"), max=16, required=True, filters=[nfkc, upper])
    area = ChoiceField(_l("Area"), QuestionArea)
    text_ja = text(_l("Question (Japanese)"), max=2000, required=True, area=True)
    text_en = text(_l("Question (English)"), max=2000, required=True, area=True)
    answer_type = ChoiceField(_l("Answer type"), AnswerType)
    options = text(_l("Choices (separated by |)"), max=500)
    passing_answer = text(_l("Passing answer (empty: any answer passes)"), max=100)
    severity = ChoiceField(_l("Severity of a failing answer"), Severity)
    evidence_requested = BooleanField(_l("Evidence requested"))
    audience = ChoiceField(_l("Asked of"), Audience)
    status = ChoiceField(_l("Status"), QuestionStatus)


class ReturnedForm(Form):
    """A returned questionnaire workbook."""

    workbook = FileField(_l("Returned questionnaire (.xlsx)"), validators=[FileRequired()])


class ReturnedConfirmForm(Form):
    """Confirms the recording of a returned questionnaire (the accepted corrections are ticked)."""
