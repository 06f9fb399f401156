"""The forms that receive a returned questionnaire."""

from flask_wtf.file import FileField, FileRequired

from registry.core.fields import Form
from registry.core.i18n import lazy_gettext as _l


class ReturnedForm(Form):
    """A returned questionnaire workbook."""

    workbook = FileField(_l("Returned questionnaire (.xlsx)"), validators=[FileRequired()])
