"""Forms for purposes, data categories and their links."""

from wtforms import DateField, IntegerField, ValidationError
from wtforms.validators import NumberRange, Optional

from registry.core.fields import ChoiceField, Form, ReferenceField, nfkc, text
from registry.core.i18n import lazy_gettext as _l
from registry.inventory.models import AppiKind, DataCategory, Purpose, PurposeStatus


class PurposeForm(Form):
    """A purpose of use."""

    code = text(_l("Code"), max=32, required=True, filters=[nfkc])
    title = text(_l("Purpose of use"), max=255, required=True)
    description = text(_l("Description"), max=4000, area=True)
    legal_basis = text(_l("Legal basis / policy article"), max=255)
    status = ChoiceField(_l("Status"), PurposeStatus)


class DataCategoryForm(Form):
    """A data category."""

    name = text(_l("Name"), max=128, required=True)
    appi_kind = ChoiceField(_l("Kind under the APPI"), AppiKind)
    data_subjects = text(_l("Data subjects"), max=255)
    source = text(_l("Source (how acquired)"), max=255)
    storage_location = text(_l("Storage location"), max=255)
    retention_period = text(_l("Retention period"), max=255)
    def validate_name(self, field):
        if set(field.data or "") & set(";；、\n"):
            raise ValidationError(_l("A category name cannot contain ; 、 or a line break "
                                     "(they separate names in workbook lists)."))

    estimated_records = IntegerField(
        _l("Estimated number of records"),
        validators=[Optional(), NumberRange(min=0, max=10**12)],
    )


class PurposeCategoryForm(Form):
    """A purpose's use of a data category."""

    purpose = ReferenceField(_l("Purpose of use"), Purpose, order_by=Purpose.code)
    category = ReferenceField(_l("Data category"), DataCategory, order_by=DataCategory.name)
    reason = text(_l("Why it is needed"), max=4000, area=True)
    since = DateField(_l("Used since"), validators=[Optional()])
