"""Forms for supervision checks and findings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired, Optional

from registry.consignees.models import Consignee
from registry.core.fields import ChoiceField, ReferenceField, nfkc, text
from registry.supervision.models import (
    CheckKind,
    CheckMethod,
    CheckResult,
    FindingStatus,
    Severity,
    SupervisionCheck,
)


class SupervisionCheckForm(FlaskForm):
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


class FindingForm(FlaskForm):
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
