"""Form fields shared by the domain forms: choices, references to other records, trimmed text."""

from __future__ import annotations

import re
import unicodedata
from functools import partial

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from registry.core.i18n import lazy_gettext as _l
from registry.core.i18n import translated
from registry.core.model import Choice, Record
from registry.extensions import db

#: the largest id a record can have (INTEGER columns on PostgreSQL)
MAX_ID = 2**31 - 1
#: control characters no stored text holds (C0, DEL, C1, and the bidirectional embeddings,
#: overrides and isolates that make a code read differently from what it is, U+202A-202E and
#: U+2066-2069) except tab and line breaks, which text areas and spreadsheet cells keep: forms
#: refuse them, imports remove them (exchange.values)
CONTROL_CODES = frozenset((*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),
                           *range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_CONTROL_IN_TEXT = re.compile(f"[{re.escape(''.join(map(chr, sorted(CONTROL_CODES))))}]")
_CONTROL_IN_LINE = re.compile(f"[{re.escape(''.join(map(chr, sorted(CONTROL_CODES | {9, 10, 13}))))}]")


class Form(FlaskForm):
    """The registry's forms: no field may hold control characters (invisible, they corrupt
    workbooks and logs, and PostgreSQL refuses NUL in text)."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            line = not isinstance(field, TextAreaField)
            if any(isinstance(raw, str) and has_control_characters(raw.strip(), line=line)
                   for raw in field.raw_data or ()):  # a tab or line break at the ends is trimmed
                field.errors = [*field.errors, _l("Remove the invisible control characters "
                                                  "(such as NUL or escape) from this field.")]
                valid = False
        return valid

    def refuse(self, problems) -> None:
        """Show why a service refused the values: each problem beside its field, or above the
        form when it concerns the record as a whole."""
        for problem in problems:
            if problem.field in self._fields:
                field = self[problem.field]
                field.errors = [*field.errors, problem.message]
            else:
                self.form_errors.append(problem.message)
        self._errors = None


def has_control_characters(text: str, *, line: bool = True) -> bool:
    """Whether text holds control characters (with line=False, tab and line breaks are fine)."""
    return bool((_CONTROL_IN_LINE if line else _CONTROL_IN_TEXT).search(text))


def record_id(value) -> int | None:
    """A record id typed in a form or an address: ASCII digits from 1 to MAX_ID, else None."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def strip(value):
    return value.strip() if isinstance(value, str) else value


def text(label, *, max: int, required: bool = False, area: bool = False, validators=(),
         filters=(), default=None):
    """A trimmed text field with a length limit matching its column."""
    # DataRequired looks at the stripped value, so blank text counts as missing
    checks = [DataRequired() if required else Optional(), Length(max=max), *validators]
    field = TextAreaField if area else StringField
    return field(label, validators=checks, filters=[strip, *filters], default=default)


def nfkc(value):
    """Full-width letters and digits as half-width (for codes and numbers, as the importer reads them)."""
    return unicodedata.normalize("NFKC", value) if isinstance(value, str) else value


def upper(value):
    return value.upper() if isinstance(value, str) else value


def none_if_empty(value):
    return value or None


class ChoiceField(SelectField):
    """A select over a Choice enumeration; its data is the enumeration member (or None)."""

    def __init__(self, label, choice: type[Choice], *, optional: bool = False, **kwargs):
        options = [SelectChoice("", "—")] if optional else []
        options += [SelectChoice(value, label) for value, label in choice.choices()]
        # no Optional validator: it would clear the error of a value that is not a choice
        super().__init__(label, choices=options, coerce=partial(_member, choice), **kwargs)


def _member(choice: type[Choice], value):
    return None if value in ("", None) else choice(value)


class ReferenceField(SelectField):
    """A select of another record; shows labels, posts ids, and gives back the record."""

    def __init__(self, label, model: type[Record], *, optional: bool = False, order_by=None,
                 **kwargs):
        self.model = model
        super().__init__(label, choices=partial(_options, model, order_by, optional),
                         coerce=_record_id, **kwargs)

    def process_data(self, value):
        try:
            self.data = value.id if isinstance(value, Record) else _record_id(value)
        except ValueError:
            self.data = None

    @property
    def record(self) -> Record | None:
        return None if self.data is None else db.session.get(self.model, self.data)


class MultiReferenceField(SelectMultipleField):
    """A multiple select of other records; gives back the list of records."""

    def __init__(self, label, model: type[Record], *, order_by=None, **kwargs):
        self.model = model
        super().__init__(
            label,
            choices=partial(_options, model, order_by, False),
            coerce=_record_id,
            validators=[Optional()],
            **kwargs,
        )

    def process_data(self, value):
        self.data = [item.id if isinstance(item, Record) else int(item) for item in value or ()]

    @property
    def record(self) -> list[Record]:
        if not self.data:
            return []
        return list(db.session.scalars(sa.select(self.model).where(self.model.id.in_(self.data))))


class KeyField(StringField):
    """A record typed by its natural key (for tables too large for a select)."""

    def __init__(self, label, model: type[Record], key: str, **kwargs):
        self.model = model
        self.key = key
        super().__init__(label, validators=[Optional()], filters=[strip, nfkc], **kwargs)

    def process_data(self, value):
        self.data = getattr(value, self.key) if isinstance(value, Record) else value

    def post_validate(self, form, validation_stopped):
        if validation_stopped or not self.data or has_control_characters(self.data):
            return  # the form reports the control characters
        if self.record is None:
            self.errors.append(_l("No record has the key “%(key)s”.", key=self.data))

    @property
    def record(self) -> Record | None:
        if not self.data:
            return None
        column = getattr(self.model, self.key)
        return db.session.scalar(sa.select(self.model).where(column == self.data))


def _record_id(value):
    if value in ("", None):
        return None
    number = record_id(value)
    if number is None:
        raise ValueError(f"not a record id: {str(value)[:20]!r}")
    return number


def _options(model: type[Record], order_by, optional: bool):
    """The records to choose from; grouped (optgroup) by the choice their description groups them
    by, such as a data category's kind under the APPI, in the order of its choices."""
    from registry.core.schema import DESCRIPTIONS

    records = db.session.scalars(sa.select(model).order_by(order_by or model.id))
    group_by = getattr(DESCRIPTIONS.get(model), "group_by", None)
    if group_by is None:
        options = [SelectChoice(record.id, str(record)) for record in records]
    else:
        members = list(getattr(model, group_by).type.enum_class)
        grouped = sorted(records, key=lambda record: members.index(getattr(record, group_by)))
        options = [SelectChoice(record.id, str(record),
                                optgroup=translated(getattr(record, group_by).label))
                   for record in grouped]
    return ([SelectChoice("", "—")] if optional else []) + options


def form_values(form) -> dict:
    """The values a form gives a service: records for reference fields, data for the rest."""
    values = {}
    for field in form:
        if field.name == "csrf_token":
            continue
        values[field.name] = field.record if hasattr(field, "record") else field.data
    return values


def form_for(description) -> type[Form]:
    """The form of a described record: one field per described field, which only parses what is
    typed (text, dates, numbers, choices, records); the domain's rules judge the values."""
    cached = _FORMS.get(description)
    if cached is None:
        fields = {f.name: _form_field(f) for f in description.fields if f.spec.form}
        cached = _FORMS[description] = type(f"{description.model.__name__}Form", (Form,), fields)
    return cached


_FORMS: dict = {}


def _form_field(described):
    """The form field of a described field, with its hint as the field's description and the
    language of its text marked when it is always the same."""
    field = _parsing_field(described)
    field.kwargs["description"] = described.spec.help or ""
    if described.spec.language:
        field.kwargs["render_kw"] = {"lang": described.spec.language}
    return field


def _parsing_field(described):
    from registry.core import schema

    kind, label = described.kind, described.label
    default = getattr(described.default, "value", described.default)
    if kind in (schema.TEXT, schema.AREA):
        filters = [strip, *([nfkc] if described.spec.code else []),
                   *([upper] if described.spec.upper else []),
                   *([none_if_empty] if described.nullable else [])]
        field = TextAreaField if kind == schema.AREA else StringField
        return field(label, filters=filters, default=default)
    if kind == schema.INTEGER:
        return IntegerField(label, validators=[Optional()])
    if kind == schema.DATE:
        return DateField(label, validators=[Optional()])
    if kind == schema.BOOL:
        return BooleanField(label, default=default)
    if kind == schema.CHOICE:
        return ChoiceField(label, described.choice, optional=not described.required,
                           default=default)
    target = schema.describe_model(described.target)
    order_by = target.order_by[0] if target.order_by else described.target.id
    if kind == schema.REFS:
        return MultiReferenceField(label, described.target, order_by=order_by)
    if described.spec.typed:
        return KeyField(label, described.target, target.key[0])
    return ReferenceField(label, described.target, optional=not described.required,
                          order_by=order_by)
