"""The upload form of the inventory import."""

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField

from registry.core.fields import Form
from registry.core.i18n import lazy_gettext as _l


class ImportForm(Form):
    """A workbook to import."""

    workbook = FileField(_l("Workbook (.xlsx)"), validators=[FileRequired()])
    sync = BooleanField(_l("Also delete records that are missing from the workbook's sheets"))
