"""One description per entity drives its list, detail, form, delete and history pages."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import orm as so
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.util import find_tables

from registry.core import memo, records
from registry.core.auth import role_required
from registry.core.fields import form_for, form_values, record_id
from registry.core.i18n import lazy_gettext as _l
from registry.core.model import Record
from registry.core.models import AuditEntry, Role
from registry.core.paging import Order, capped, page_of, shown_count
from registry.core.schema import DESCRIPTIONS, Description, Invalid, described
from registry.core.web import (
    DETAIL_ENDPOINTS,
    came_from,
    label,
    link,
    paginate,
    record_url,
    show,
)
from registry.extensions import db

#: model class -> its Entity, filled in as entities register
ENTITIES: dict[type, Entity] = {}
#: what the audit log records of records beside their described fields (the files attached to
#: them), by key: its label, filled in by the domains that record them
LOGGED_LABELS: dict[str, object] = {}
#: the kinds of record the audit log names that no description declares (users, waivers ...):
#: table -> (the kind's label, its fields' labels), filled in by their domains (`logged`)
LOGGED_KINDS: dict[str, tuple[object, dict[str, object]]] = {}


def logged(table: str, label: object, **fields: object) -> None:
    """Name a kind of record no description declares, and its fields, for the audit log."""
    LOGGED_KINDS[table] = (label, fields)


def kind_label(table: str) -> str:
    """What a kind of record is called ("purposes" shows as "Purpose of use" or 利用目的)."""
    description = described(table)
    if description is not None:
        return str(description.singular)
    return str(LOGGED_KINDS[table][0]) if table in LOGGED_KINDS else table


def logged_tables() -> list[str]:
    """The tables whose changes the audit log names, described ones first."""
    return [d.name for d in DESCRIPTIONS.values()] + sorted(LOGGED_KINDS)


def field_label(table: str, key: str) -> str:
    """What a record's field is called ("title" shows as "Title" or 件名), for the audit log and
    the conflict page: the label its description gives, whichever way the change came in; the
    key itself for fields no description or domain names."""
    description = described(table)
    found = description.by_name.get(key) if description is not None else None
    if found is not None:
        return str(found.label)
    label = LOGGED_KINDS.get(table, (None, {}))[1].get(key) or LOGGED_LABELS.get(key, key)
    return str(label)


def field_language(table: str, key: str) -> str | None:
    """The language a field's text is always in ("ja", "en"), None for most."""
    description = described(table)
    found = description.by_name.get(key) if description is not None else None
    return found.spec.language if found is not None else None


def logged_record(table: str, name: str) -> str:
    """The name the audit log keeps of a record (its natural key, "Cloud Inc. / US / soc2 /
    123"), with the choices in it as the reader reads them."""
    description = described(table)
    if description is None:
        return name
    members = {value: member for f in description.fields if f.name in description.key and f.choice
               for value, member in f.choice._value2member_map_.items()}
    return " / ".join(label(members[part]) if part in members else part
                      for part in name.split(" / "))


def logged_value(table: str, key: str, value: object) -> str:
    """A value the audit log recorded as a person reads it: a choice's label, Yes or No, the
    items of a list; text, dates and names as they were."""
    if isinstance(value, bool):
        return show(value)
    if isinstance(value, list):
        return ", ".join(logged_value(table, key, item) for item in value)
    description = described(table)
    found = description.by_name.get(key) if description is not None else None
    if found is not None and found.spec.shows is not None:
        return str(found.spec.shows(value))
    column = _columns(table).get(key)
    choice = getattr(getattr(column, "type", None), "enum_class", None)
    if choice is not None and value in choice._value2member_map_:
        return label(choice(value))
    return "" if value is None else str(value)


def _shown(described, value: object) -> object:
    return described.spec.shows(value) if described.spec.shows and value else value


@cache
def _columns(table: str) -> dict[str, sa.Column]:
    found = db.metadata.tables.get(table)
    return {} if found is None else {column.key: column for column in found.columns}


@dataclass(frozen=True)
class Column:
    """A column of a list page: key names the attribute shown and the sort argument; its label
    is the field's unless given (for values the list computes)."""

    key: str
    sort: object = None
    link: bool = False
    label: object = None


#: a record's own pages beyond its page, which a deleted record no longer has
PAGES = ("edit", "delete", "history")

#: how many options a facet of related records offers (the most frequent first)
FACET_OPTIONS = 50
#: rows a facet without fixed choices groups at most, to find and count its options
FACET_ROWS = 2_000


class _Facet:
    """What the list filters share: reading their query argument, the clause it adds, and the
    count of matching rows for each option (one grouped statement a facet, for those declaring
    the `value` expression that gives a row's option)."""

    def read(self, args) -> dict[str, str]:
        """The filter's query arguments the list accepts."""
        value = args.get(self.key, "")
        return {self.key: value} if value and self.accepts(value) else {}

    def clauses(self, applied: dict[str, str]) -> list[sa.ColumnElement]:
        return [self.where(applied[self.key])] if self.key in applied else []

    def counting(self) -> tuple[sa.ColumnElement, ...]:
        """The expressions that name an option in the count: its value (and its label)."""
        return (self.value(),)


@dataclass(frozen=True)
class Filter(_Facet):
    """A drop-down filter of a list page, its options counted when it declares a value; with no
    choices, the options are the values the rows hold (a country code)."""

    key: str
    label: object
    choices: Callable[[], list[tuple[str, object]]] | None
    where: Callable[[str], sa.ColumnElement]
    #: a row's option, to count the rows of each (None: the options are not counted)
    value: Callable[[], sa.ColumnElement] | None = None
    #: the joins (target, on clause) that value needs beyond the list's own
    through: tuple = ()

    @classmethod
    def on(cls, column: sa.ColumnElement, key: str, label: object,
           choices: Callable[[], list[tuple[str, object]]] | None = None) -> Filter:
        """A filter keeping the rows whose column holds the chosen value, its options counted."""
        return cls(key, label, choices, lambda v: column == v, value=lambda: column)

    @classmethod
    def flag(cls, condition: sa.ColumnElement[bool], key: str, label: object) -> Filter:
        """A yes / no filter on a condition, its two options counted."""
        return cls(key, label, _yes_no, lambda v: condition if v == "yes" else ~condition,
                   value=lambda: sa.case((condition, "yes"), else_="no"))

    def accepts(self, value: str) -> bool:
        if self.choices is None:
            return len(value) <= 64
        return value in {str(v) for v, _ in self.choices()}

    def options(self, counts: dict[str, int] | None) -> list[tuple[str, object, int | None]]:
        """(value, label, count) of each option; counted ones show even when no row has them."""
        if self.choices is None:
            return [(value, value, count) for value, (_, count) in sorted((counts or {}).items())]
        return [(str(value), label, None if counts is None else counts.get(str(value), (0, 0))[1])
                for value, label in self.choices()]


def _optional(relationship) -> bool:
    """Whether a record may lack the related record: then it is outer-joined. An inner join
    where one is required lets the database start from the related table's index (a list
    sorted by employee number reads the employees in order, then their grants)."""
    return any(column.nullable for column in relationship.property.local_columns)


def _yes_no() -> list[tuple[str, object]]:
    return [("yes", _l("Yes")), ("no", _l("No"))]


@dataclass(frozen=True)
class RecordFilter(_Facet):
    """A filter on one related record, set by links from other pages; with a value and a name it
    also offers the related records the rows have, the most frequent first."""

    key: str
    label: object
    model: type[Record]
    where: Callable[[str], sa.ColumnElement]
    value: Callable[[], sa.ColumnElement] | None = None
    #: what names the related record in the options
    name: Callable[[], sa.ColumnElement] | None = None
    through: tuple = ()

    def accepts(self, value: str) -> bool:
        return record_id(value) is not None

    def describe(self, value: str) -> str:
        record = db.session.get(self.model, record_id(value))
        return str(record) if record is not None else f"#{value}"

    def counting(self) -> tuple[sa.ColumnElement, ...]:
        return (self.value(), self.name())

    def options(self, counts: dict[str, tuple]) -> list[tuple[str, object, int]]:
        return [(value, name, count) for value, (name, count) in counts.items()]


@dataclass(frozen=True)
class DateRange(_Facet):
    """A range of days on a date column: KEY_from and KEY_to in the query string, either optional."""

    key: str
    label: object
    column: sa.ColumnElement
    value = None

    def read(self, args) -> dict[str, str]:
        applied = {}
        for end in ("from", "to"):
            text = args.get(f"{self.key}_{end}", "")
            try:
                applied[f"{self.key}_{end}"] = date.fromisoformat(text).isoformat()
            except ValueError:
                continue
        return applied

    def clauses(self, applied: dict[str, str]) -> list[sa.ColumnElement]:
        found = []
        if f"{self.key}_from" in applied:
            found.append(self.column >= date.fromisoformat(applied[f"{self.key}_from"]))
        if f"{self.key}_to" in applied:
            found.append(self.column <= date.fromisoformat(applied[f"{self.key}_to"]))
        return found


@dataclass(frozen=True)
class SearchIn:
    """A search through related records (many to many): the clause matching a row to the text."""

    where: Callable[[str], sa.ColumnElement]


@dataclass(frozen=True)
class Dependent:
    """Records that stop a delete: a label and a clause selecting those that refer to the record."""

    label: object
    model: type[Record]
    refers: Callable[[Record], sa.ColumnElement]


@dataclass
class Entity:
    """How one described kind of record is listed, shown, edited and deleted."""

    name: str
    description: Description
    columns: list[Column]
    search: tuple = ()
    filters: tuple[Filter | RecordFilter | DateRange, ...] = ()
    default_sort: str = ""
    joins: tuple = ()
    load: tuple = ()
    dependents: tuple[Dependent, ...] = ()
    detail_template: str = "entity/detail.html"
    detail_context: Callable[[Record], dict] = field(default=lambda obj: {})
    #: the services that create and update a record (the generic ones unless the domain has its own)
    create: Callable[[type, dict], Record] = records.create
    update: Callable[[Record, dict], dict] = records.update

    def __post_init__(self) -> None:
        self.columns = [column if column.label is not None else
                        replace(column, label=self.description.by_name[column.key].label)
                        for column in self.columns]

    @property
    def model(self) -> type[Record]:
        return self.description.model

    @property
    def form(self) -> type[FlaskForm]:
        return form_for(self.description)

    @property
    def singular(self):
        return self.description.singular

    @property
    def plural(self):
        return self.description.plural

    @property
    def change_role(self) -> Role:
        """The role needed to create, change and delete (reading needs none beyond logging in)."""
        return self.description.change_role

    # -- queries ------------------------------------------------------------------------------

    def list_query(self, args) -> tuple[sa.Select, dict]:
        """The filtered, searched and sorted select of a list page, and the state it applied
        (with the order, which the pages after a row need)."""
        query = sa.select(self.model)
        for relationship in self.joins:
            query = query.join(relationship, isouter=_optional(relationship)) \
                .options(so.contains_eager(relationship))
        query = query.options(*self.load)
        state = {"q": args.get("q", "").strip()[:200], "filters": {}, "sort": ""}
        for spec in self.filters:
            state["filters"] |= spec.read(args)
        query = query.where(*self._clauses(state))
        sortable = {column.key: column.sort for column in self.columns if column.sort is not None}
        sort = args.get("sort", self.default_sort)
        order = Order(None, self.model.id)
        if sort.removeprefix("-") in sortable:
            order = Order(sortable[sort.removeprefix("-")], self.model.id, sort.startswith("-"))
            state["sort"] = sort
        state["order"] = order
        return query.order_by(*order.clauses()), state

    def count_query(self, state: dict) -> sa.Select:
        """The rows of the list to count: the model's, joined only to the related records the
        search and the filters name."""
        return self._rows(self._clauses(state))

    def _rows(self, clauses: list[sa.ColumnElement], *columns: sa.ColumnElement) -> sa.Select:
        """The model's rows meeting the clauses (the columns given, else 1), outer-joined to the
        list's related records the clauses or columns name (each join is to one record, so the
        others add no row)."""
        named = {table for clause in (*clauses, *columns)
                 for table in find_tables(clause, check_columns=True)}
        query = sa.select(*columns or (sa.literal(1),)).select_from(self.model)
        for relationship in self.joins:
            if relationship.property.mapper.local_table in named:
                query = query.join(relationship, isouter=_optional(relationship))
        return query.where(*clauses)

    def _clauses(self, state: dict, leaving_out: object = None) -> list[sa.ColumnElement]:
        """The search's and the filters' clauses (but one filter's, to count that one's options)."""
        clauses = []
        if state["q"] and self.search:
            clauses.append(sa.or_(*(
                column.where(state["q"]) if isinstance(column, SearchIn)
                else column.icontains(state["q"], autoescape=True) for column in self.search)))
        for spec in self.filters:
            if spec is not leaving_out:
                clauses.extend(spec.clauses(state["filters"]))
        return clauses

    def facet_counts(self, state: dict) -> dict[str, dict[str, tuple]]:
        """For each filter declaring a value: its options' {value: (name, rows shown)}, the rows
        being those the search and the other filters leave, counted up to the cap (paging),
        remembered until the registry changes."""
        found = memo.remembered(("facets", self.name, state["q"], *sorted(state["filters"].items())),
                                lambda: self._facet_numbers(state))
        return {key: {value: (name, None if count is None else shown_count(count))
                      for value, (name, count) in options.items()}
                for key, options in found.items()}

    def _facet_numbers(self, state: dict) -> dict[str, dict[str, tuple]]:
        """facet_counts' numbers: a statement a filter, of capped counts for the choices, else
        grouping the first FACET_ROWS rows (their counts given only when those were all)."""
        counts = {}
        for spec in self.filters:
            if spec.value is None:
                continue
            clauses = self._clauses(state, leaving_out=spec)
            if getattr(spec, "choices", None) is not None:
                values = [str(value) for value, _ in spec.choices()]
                found = db.session.execute(sa.select(*(
                    capped(self._rows([*clauses, spec.where(value)])).scalar_subquery()
                    for value in values))).one()
                counts[spec.key] = {value: (None, count)
                                    for value, count in zip(values, found, strict=True)}
                continue
            named = spec.counting()
            sample = self._rows(clauses, self.model.id.label("row"),
                                *(column.label(f"c{n}") for n, column in enumerate(named)))
            for target, on in spec.through:
                sample = sample.join(target, on)
            sample = sample.limit(FACET_ROWS + 1).subquery()
            keys = [sample.c[f"c{n}"] for n in range(len(named))]
            rows = sa.func.count(sa.distinct(sample.c.row))
            # the sample's size (summed over its groups before the limit) in the same statement
            size = sa.func.sum(sa.func.count()).over()
            query = sa.select(*keys, rows, size).group_by(*keys)
            if isinstance(spec, RecordFilter):
                query = query.order_by(rows.desc(), keys[1]).limit(FACET_OPTIONS)
            counts[spec.key] = {
                str(row[0]): (row[-3] if len(row) > 3 else None,
                              row[-2] if row[-1] <= FACET_ROWS else None)
                for row in db.session.execute(query) if row[0] is not None}
        return counts

    def get_or_404(self, record_id: int) -> Record:
        """Load the record or answer 404."""
        return db.get_or_404(self.model, record_id)

    def blocking_dependents(self, obj: Record) -> list[tuple[object, int]]:
        """The kinds of record that still refer to obj, with their counts."""
        found = []
        for dependent in self.dependents:
            count = db.session.scalar(
                sa.select(sa.func.count()).select_from(dependent.model).where(dependent.refers(obj))
            )
            if count:
                found.append((dependent.label, count))
        return found

    # -- pages --------------------------------------------------------------------------------

    def register(self, bp: Blueprint) -> None:
        """Add the entity's pages to a blueprint."""
        base = f"/{self.name.replace('_', '-')}"
        rules = (
            ("/", "list", self.list_view, ["GET"]),
            ("/new", "create", role_required(self.change_role)(self.create_view),
             ["GET", "POST"]),
            ("/<int:id>", "detail", self.detail_view, ["GET"]),
            ("/<int:id>/edit", "edit", role_required(self.change_role)(self.edit_view),
             ["GET", "POST"]),
            ("/<int:id>/delete", "delete", role_required(self.change_role)(self.delete_view),
             ["GET", "POST"]),
            ("/<int:id>/history", "history", self.history_view, ["GET"]),
        )
        for rule, action, view, methods in rules:
            bp.add_url_rule(base + rule, f"{self.name}_{action}", view, methods=methods)
        self.endpoint = f"{bp.name}.{self.name}"
        DETAIL_ENDPOINTS[self.model] = f"{self.endpoint}_detail"
        ENTITIES[self.model] = self

    def list_view(self):
        body = memo.remembered((
            "list", self.name, str(get_locale()), str(current_user.role),
            *sorted(request.args.items(multi=True))), self._list_body)
        return render_template("entity/list.html", entity=self, body=body)

    def _list_body(self) -> Markup:
        """The list's content for the request's arguments: its filters with their counts, its
        page of rows, its pager; the same for every reader of the language and role."""
        query, state = self.list_query(request.args)
        page = page_of(query, state["order"], self.count_query(state), request.args,
                       current_app.config["PAGE_SIZE"],
                       remember=("count", self.name, state["q"], *sorted(state["filters"].items())))
        return Markup(render_template("entity/_list_body.html", entity=self, page=page, state=state,
                                      counts=self.facet_counts(state), rows=self.rows(page.items)))

    def rows(self, objects: list[Record]) -> list[Markup]:
        """The list rows' cells as HTML, built here (a Jinja call per cell costs more than the
        cell), each choice's label looked up once a page."""
        shown: dict[tuple[type, object], str] = {}

        def cell(value: object) -> str:
            if type(value) is str and value:
                return escape(value)
            if not isinstance(value, enum.Enum | bool):
                return escape(show(value))
            key = (type(value), value)
            if key not in shown:
                shown[key] = escape(show(value))
            return shown[key]

        rows = []
        fields = [self.description.by_name.get(column.key) for column in self.columns]
        for obj in objects:
            cells = []
            for column, field_of in zip(self.columns, fields, strict=True):
                value = getattr(obj, column.key)
                if field_of is not None:
                    value = _shown(field_of, value)
                if column.link:
                    cells.append(f"<td>{link(record_url(obj), label(value) or '—')}</td>")
                else:
                    cells.append(f"<td>{cell(value)}</td>")
            rows.append(Markup("".join(cells)))
        return rows

    def detail_view(self, id: int):
        obj = self.get_or_404(id)
        fields = [(described.label, _shown(described, getattr(obj, described.name)),
                   described.spec.language)
                  for described in self.description.fields if described.spec.form]
        return render_template(self.detail_template, entity=self, obj=obj, fields=fields,
                               **self.detail_context(obj))

    def create_view(self):
        back = came_from()
        start = records.suggested(self.model) | request.args.to_dict() \
            if request.method == "GET" else None
        form = self.form(data=start)
        if form.validate_on_submit():
            try:
                obj = self.create(self.model, form_values(form))
            except Invalid as invalid:
                db.session.rollback()
                form.refuse(invalid.problems)
            else:
                db.session.commit()
                flash(gettext("%(entity)s “%(record)s” was created.", entity=self.singular,
                              record=str(obj)), "success")
                return redirect(url_for(f"{self.endpoint}_detail", id=obj.id))
        return render_template("entity/form.html", entity=self, form=form, obj=None, back=back)

    def edit_view(self, id: int):
        obj = self.get_or_404(id)
        back = came_from()
        form = self.form(obj=obj)
        seen = request.form.get("revision", type=int) if request.method == "POST" else obj.revision
        if form.validate_on_submit():
            if seen != obj.revision:
                return self._conflict(obj, form, seen, back)
            try:
                changes = self.update(obj, form_values(form))
                db.session.commit()
            except StaleDataError:  # saved by someone else between our read and our write
                db.session.rollback()
                return self._conflict(self.get_or_404(id), form, seen, back)
            except Invalid as invalid:
                db.session.rollback()
                form.refuse(invalid.problems)
                return render_template("entity/form.html", entity=self, form=form,
                                       obj=self.get_or_404(id), revision=seen, back=back)
            if changes:
                flash(gettext("%(entity)s “%(record)s” was saved.", entity=self.singular,
                              record=str(obj)), "success")
            else:
                flash(gettext("Nothing was changed."), "info")
            return redirect(back or url_for(f"{self.endpoint}_detail", id=obj.id))
        return render_template("entity/form.html", entity=self, form=form, obj=obj, revision=seen,
                               back=back)

    def _conflict(self, obj: Record, form: FlaskForm, seen: int | None, back: str | None):
        """Refuse a save based on an older revision: show what others changed since, keep the
        user's input, and let them save again over the revision they have now seen."""
        missed = max(1, min(obj.revision - (seen or 0), 20))
        entries = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.entity == self.model.__tablename__, AuditEntry.record_id == obj.id)
            .order_by(AuditEntry.id.desc()).limit(missed)).all()
        return render_template("entity/form.html", entity=self, form=form, obj=obj,
                               revision=obj.revision, conflict=entries, back=back), 409

    def delete_view(self, id: int):
        obj = self.get_or_404(id)
        back = came_from()
        blocking = self.blocking_dependents(obj)
        form = FlaskForm()
        if form.validate_on_submit() and not blocking:
            label = str(obj)
            gone = record_url(obj)
            records.delete(obj)
            db.session.commit()
            flash(gettext("%(entity)s “%(record)s” was deleted.", entity=self.singular,
                          record=label), "success")
            if back and back.split("?")[0] not in (gone, *(f"{gone}/{page}" for page in PAGES)):
                return redirect(back)
            return redirect(url_for(f"{self.endpoint}_list"))
        status = 409 if blocking and request.method == "POST" else 200
        return render_template("entity/delete.html", entity=self, obj=obj, form=form,
                               blocking=blocking, back=back), status

    def history_view(self, id: int):
        obj = self.get_or_404(id)
        query = (
            sa.select(AuditEntry)
            .where(AuditEntry.entity == self.model.__tablename__, AuditEntry.record_id == id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        )
        page = paginate(query)
        return render_template("entity/history.html", entity=self, obj=obj, page=page)
