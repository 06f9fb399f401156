"""Forms for consignees, certifications, entrustments and contracts."""

import re

import sqlalchemy as sa
from wtforms import BooleanField, DateField, ValidationError
from wtforms.validators import Optional, Regexp

from registry.consignees.models import (
    CertificationScheme,
    Consignee,
    ConsigneeStatus,
    ContractType,
    CrossBorderBasis,
    RiskTier,
)
from registry.core.fields import (
    ChoiceField,
    Form,
    MultiReferenceField,
    ReferenceField,
    nfkc,
    none_if_empty,
    text,
    upper,
)
from registry.core.i18n import lazy_gettext as _l
from registry.extensions import db
from registry.inventory.models import DataCategory, Purpose

#: an e-mail address as the forms and the importer accept it
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def corporate_number_ok(number: str) -> bool:
    """Check the check digit of a 13-digit Japanese corporate number (法人番号)."""
    if len(number) != 13 or not number.isdigit():
        return False
    body = [int(d) for d in number[1:]]
    weights = (1 if i % 2 == 0 else 2 for i in range(12))
    total = sum(d * w for d, w in zip(reversed(body), weights, strict=True))
    return int(number[0]) == 9 - total % 9


def _corporate_number(form, field):
    if field.data and not corporate_number_ok(field.data):
        raise ValidationError(_l("A corporate number has 13 digits with a valid check digit."))


def _end_after_start(form, field):
    start = form.start_on.data
    if field.data and start and field.data < start:
        raise ValidationError(_l("The end date is before the start date."))


class ConsigneeForm(Form):
    """A consignee."""

    name = text(_l("Name"), max=255, required=True)
    corporate_number = text(_l("Corporate number (法人番号)"), max=13,
                            validators=[_corporate_number], filters=[nfkc, none_if_empty])
    country = text(_l("Country (ISO code)"), max=2, required=True, filters=[nfkc, upper], default="JP",
                   validators=[Regexp(r"^[A-Z]{2}$", message=_l("Two letters, e.g. JP."))])
    address = text(_l("Address"), max=255)
    contact_name = text(_l("Contact person"), max=128)
    contact_email = text(_l("Contact e-mail"), max=255, filters=[nfkc], validators=[
        Optional(), Regexp(EMAIL, message=_l("Expected an e-mail address, like name@example.co.jp."))])
    risk_tier = ChoiceField(_l("Risk tier"), RiskTier, default=RiskTier.MEDIUM)
    status = ChoiceField(_l("Status"), ConsigneeStatus, default=ConsigneeStatus.ACTIVE)
    parent = ReferenceField(_l("Re-entrusted by (parent consignee)"), Consignee, optional=True,
                            order_by=Consignee.name)
    reentrustment_approved_on = DateField(_l("Re-entrustment approved on"),
                                          validators=[Optional()])
    cross_border_basis = ChoiceField(_l("Cross-border transfer basis (Art. 28)"),
                                     CrossBorderBasis, optional=True)
    cross_border_checked_on = DateField(_l("Cross-border basis last confirmed"),
                                        validators=[Optional()])
    external_environment = text(_l("External environment (foreign legal regime)"), max=4000,
                                area=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        obj = kwargs.get("obj")
        self._obj_id = obj.id if obj is not None else None

    def validate_parent(self, field):
        if field.data is not None and self._obj_id in chain_ids(field.data):
            raise ValidationError(_l("A consignee cannot re-entrust to itself, even indirectly."))


def chain_ids(consignee_id: int, limit: int = 50) -> list[int]:
    """The ids from a consignee up through its parents (bounded, so a cycle cannot loop)."""
    ids = []
    current = consignee_id
    while current is not None and current not in ids and len(ids) < limit:
        ids.append(current)
        current = db.session.scalar(sa.select(Consignee.parent_id).where(Consignee.id == current))
    return ids


class CertificationForm(Form):
    """A certification of a consignee."""

    consignee = ReferenceField(_l("Consignee"), Consignee, order_by=Consignee.name)
    scheme = ChoiceField(_l("Scheme"), CertificationScheme)
    number = text(_l("Certificate number"), max=64, filters=[nfkc])
    expires_on = DateField(_l("Valid until"), validators=[Optional()])


class EntrustmentForm(Form):
    """An entrustment."""

    reference = text(_l("Reference"), max=32, required=True, filters=[nfkc])
    consignee = ReferenceField(_l("Consignee"), Consignee, order_by=Consignee.name)
    purpose = ReferenceField(_l("Purpose of use"), Purpose, order_by=Purpose.code)
    categories = MultiReferenceField(_l("Data categories"), DataCategory,
                                     order_by=DataCategory.name)
    work = text(_l("Work entrusted"), max=4000, required=True, area=True)
    start_on = DateField(_l("Start"), validators=[Optional()])
    end_on = DateField(_l("End"), validators=[Optional(), _end_after_start])


class ContractForm(Form):
    """A contract with its clause checklist."""

    reference = text(_l("Reference"), max=32, required=True, filters=[nfkc])
    consignee = ReferenceField(_l("Consignee"), Consignee, order_by=Consignee.name)
    contract_type = ChoiceField(_l("Type"), ContractType)
    title = text(_l("Title"), max=255)
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    start_on = DateField(_l("Start"), validators=[Optional()])
    end_on = DateField(_l("End"), validators=[Optional(), _end_after_start])
    auto_renewal = BooleanField(_l("Renews automatically"))
    reentrustment_allowed = BooleanField(_l("Re-entrustment allowed"))
    clause_confidentiality = BooleanField(_l("Confidentiality"))
    clause_purpose_limitation = BooleanField(_l("Purpose limitation"))
    clause_security_measures = BooleanField(_l("Security measures"))
    clause_reentrustment_approval = BooleanField(_l("Re-entrustment needs approval"))
    clause_incident_notification = BooleanField(_l("Incident notification"))
    clause_audit_rights = BooleanField(_l("Audit and inspection rights"))
    clause_return_deletion = BooleanField(_l("Return or deletion at the end"))
