"""Forms for supervision checks and findings."""

from datetime import date

from flask_login import current_user
from wtforms import DateField, ValidationError
from wtforms.validators import InputRequired, Optional

from registry.consignees.models import Consignee
from registry.core.fields import ChoiceField, Form, ReferenceField, nfkc, text
from registry.core.i18n import lazy_gettext as _l
from registry.core.models import Role
from registry.supervision.models import (
    CheckKind,
    CheckMethod,
    CheckResult,
    FindingStatus,
    Severity,
    SupervisionCheck,
)


class SupervisionCheckForm(Form):
    """A supervision check."""

    reference = text(_l("Reference"), max=32, required=True, filters=[nfkc])
    consignee = ReferenceField(_l("Consignee"), Consignee, order_by=Consignee.name)
    kind = ChoiceField(_l("Kind of check"), CheckKind)
    checked_on = DateField(_l("Checked on"), validators=[InputRequired()])
    method = ChoiceField(_l("Method"), CheckMethod)
    result = ChoiceField(_l("Result"), CheckResult)
    performed_by = text(_l("Performed by"), max=128)
    next_due_on = DateField(_l("Next check due"), validators=[Optional()])
    notes = text(_l("Notes"), max=8000, area=True)


class FindingForm(Form):
    """A finding of a check."""

    reference = text(_l("Reference"), max=32, required=True, filters=[nfkc])
    check = ReferenceField(_l("Supervision check"), SupervisionCheck,
                           order_by=SupervisionCheck.reference)
    description = text(_l("Description"), max=8000, required=True, area=True)
    severity = ChoiceField(_l("Severity"), Severity)
    owner = text(_l("Owner"), max=128)
    due_on = DateField(_l("Due"), validators=[Optional()])
    status = ChoiceField(_l("Status"), FindingStatus)
    resolution = text(_l("Resolution"), max=8000, area=True)
    resolved_on = DateField(_l("Resolved on"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        obj = kwargs.get("obj")
        self._was = obj.status if obj is not None else FindingStatus.OPEN

    def validate_status(self, field):
        """Findings move open -> in progress -> resolved or risk accepted, never back."""
        new = field.data
        if new not in NEXT_STATUSES[FindingStatus(self._was)]:
            raise ValidationError(_l("A finding moves from open to in progress, then to resolved "
                                     "or risk accepted; it cannot go back."))
        if new == FindingStatus.ACCEPTED and self._was != FindingStatus.ACCEPTED:
            if not current_user.can(Role.ADMIN):
                raise ValidationError(_l("Only an administrator can accept a risk."))
            if not self.resolution.data:
                raise ValidationError(_l("Accepting a risk needs a reason: write it under "
                                         "Resolution."))
        if new == FindingStatus.RESOLVED and not self.resolution.data:
            raise ValidationError(_l("Resolving a finding needs a resolution: write it under "
                                     "Resolution."))
        if new in (FindingStatus.RESOLVED, FindingStatus.ACCEPTED) and not self.resolved_on.data:
            self.resolved_on.data = date.today()


#: the statuses a finding may move to from each status
NEXT_STATUSES = {
    FindingStatus.OPEN: set(FindingStatus),
    FindingStatus.IN_PROGRESS: {FindingStatus.IN_PROGRESS, FindingStatus.RESOLVED,
                                FindingStatus.ACCEPTED},
    FindingStatus.RESOLVED: {FindingStatus.RESOLVED},
    FindingStatus.ACCEPTED: {FindingStatus.ACCEPTED},
}
