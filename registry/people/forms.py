"""Forms for employees and access grants."""

from wtforms import DateField, ValidationError
from wtforms.validators import Optional

from registry.core.fields import ChoiceField, Form, KeyField, ReferenceField, nfkc, text
from registry.core.i18n import lazy_gettext as _l
from registry.inventory.models import DataCategory
from registry.people.models import AccessLevel, Employee, EmployeeStatus


class EmployeeForm(Form):
    """An employee."""

    number = text(_l("Employee number"), max=32, required=True, filters=[nfkc])
    name = text(_l("Name"), max=128, required=True)
    department = text(_l("Department"), max=128)
    job_title = text(_l("Job title"), max=128)
    status = ChoiceField(_l("Status"), EmployeeStatus)
    departed_on = DateField(_l("Departed on"), validators=[Optional()])
    pledge_signed_on = DateField(_l("Confidentiality pledge signed on"), validators=[Optional()])
    last_training_on = DateField(_l("Last training"), validators=[Optional()])

    def validate_departed_on(self, field):
        if self.status.data == EmployeeStatus.DEPARTED and field.data is None:
            raise ValidationError(_l("A departed employee needs the date of departure."))


class AccessGrantForm(Form):
    """An access grant."""

    employee = KeyField(_l("Employee number"), Employee, "number")
    category = ReferenceField(_l("Data category"), DataCategory, order_by=DataCategory.name)
    level = ChoiceField(_l("Access level"), AccessLevel)
    system = text(_l("System"), max=128)
    granted_by = text(_l("Granted by"), max=128)
    granted_on = DateField(_l("Granted on"), validators=[Optional()])
    last_reviewed_on = DateField(_l("Last reviewed"), validators=[Optional()])
    revoked_on = DateField(_l("Revoked on"), validators=[Optional()])
    revoke_reason = text(_l("Reason for revocation"), max=255)

    def validate_revoke_reason(self, field):
        if self.revoked_on.data and not field.data:
            raise ValidationError(_l("Say why the access was revoked."))
