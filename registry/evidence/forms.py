"""The form that attaches a file to a record."""

from flask_wtf.file import FileField, FileRequired

from registry.core.fields import ChoiceField, Form, text
from registry.core.i18n import lazy_gettext as _l
from registry.evidence.formats import ACCEPTED
from registry.evidence.models import AttachmentKind
from registry.evidence.services import NOTE_MAX


class AttachForm(Form):
    """A file, what it is, and a note."""

    file = FileField(_l("File"), validators=[FileRequired(_l("Choose the file to attach."))],
                     render_kw={"accept": ACCEPTED})
    kind = ChoiceField(_l("What it is"), AttachmentKind)
    note = text(_l("Note"), max=NOTE_MAX)
