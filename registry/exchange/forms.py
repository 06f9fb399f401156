"""The upload forms of the import pipeline."""

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField
from wtforms.validators import InputRequired

from registry.core.fields import Form
from registry.core.i18n import lazy_gettext as _l


class ImportForm(Form):
    """A workbook to import."""

    workbook = FileField(_l("Workbook (.xlsx)"), validators=[FileRequired()])
    sync = BooleanField(_l("Also delete records that are missing from the workbook's sheets"))


class LedgerForm(Form):
    """A company's own ledger, in whatever layout (registry.ledger reads it)."""

    ledger = FileField(_l("Ledger (.xlsx or .csv)"), validators=[FileRequired()])


class RevertForm(Form):
    """The confirmation of a revert, naming the batch it was shown for: a POST without it (the
    batch page's old one-click button) shows the confirmation instead of reverting."""

    batch = HiddenField(validators=[InputRequired()])
