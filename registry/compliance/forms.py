"""The waiver form."""

from datetime import timedelta

from wtforms import DateField, ValidationError
from wtforms.validators import InputRequired

from registry.core import clock
from registry.core.fields import Form, text
from registry.core.i18n import lazy_gettext as _l

#: the longest a waiver may run before it must be given again
LONGEST_WAIVER = timedelta(days=366)


class WaiverForm(Form):
    """Why a result is accepted, and until when."""

    reason = text(_l("Reason"), max=2000, required=True, area=True)
    expires_on = DateField(_l("Waived until"), validators=[InputRequired()])

    def validate_expires_on(self, field: DateField) -> None:
        if field.data is None:
            return  # not a date: the field already says so
        today = clock.today()
        if field.data < today:
            raise ValidationError(_l("The day must not be in the past."))
        if field.data > today + LONGEST_WAIVER:
            raise ValidationError(_l("A waiver may run for one year at most."))
