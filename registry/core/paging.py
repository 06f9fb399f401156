"""Pages of a long list at a cost that does not grow with the list: a capped count, numbered
pages for the first rows, and pages after a given row (keyset) beyond them."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext
from flask_sqlalchemy.pagination import Pagination

from registry.core import memo
from registry.core.fields import record_id
from registry.core.web import page_number
from registry.extensions import db

#: rows a count reads at most; a list holding more says "1,000+" unless the exact count is asked
COUNT_CAP = 1000


def capped(rows: sa.Select, exact: bool = False) -> sa.Select:
    """The count of the rows the select gives, reading at most COUNT_CAP + 1 of them unless exact."""
    return sa.select(sa.func.count()).select_from(
        (rows if exact else rows.limit(COUNT_CAP + 1)).subquery())


def shown_count(count: int, exact: bool = False) -> str:
    """A count as a list shows it, "1,000+" when the cap was reached (grouped by commas, as
    English and Japanese both write numbers: Babel's formatting costs more than the page's
    statements when every option of every filter is counted)."""
    if count > COUNT_CAP and not exact:
        return gettext("%(count)s+", count=f"{COUNT_CAP:,}")
    return f"{count:,}"


@dataclass(frozen=True)
class Order:
    """How a list is sorted: a column (or none) and a direction, rows of equal value by id in
    the same direction, so that a row's value and id say where the next page starts."""

    column: sa.ColumnElement | None
    id: sa.ColumnElement
    descending: bool = False

    def clauses(self) -> list[sa.ColumnElement]:
        keys = [self.id] if self.column is None else [self.column, self.id]
        return [key.desc() if self.descending else key.asc() for key in keys]

    def cursor(self, row: object, value: object) -> str:
        """The `after` argument that starts a page after this row: its sort value and id, or
        its id alone when it has no value (an empty text keeps its comma)."""
        if self.column is None or value is None:
            return str(row.id)
        text = value.value if isinstance(value, enum.Enum) \
            else value.isoformat() if isinstance(value, date) else str(value)
        return f"{text},{row.id}"

    def read(self, text: str) -> tuple[object, int] | None:
        """(sort value, id) of an `after` argument, or None when it is not one."""
        value, comma, number = text.rpartition(",")
        last = record_id(number)
        if last is None or len(text) > 300:
            return None
        if self.column is None or not comma:
            return None, last
        try:
            kind = self.column.type.python_type
        except NotImplementedError:
            return value, last
        try:
            if kind in (date, datetime):
                return kind.fromisoformat(value), last
            if kind is bool:
                return value == "True", last
            return (int(value) if kind is int else value), last
        except ValueError:
            return None

    def after(self, value: object, last: int) -> list[list[sa.ColumnElement]]:
        """The clauses selecting the rows after (value, last), as segments read one after the
        other, each a range an index on (column, id) serves: the values past the row's, and the
        rows without a value where they sort (after the values on PostgreSQL going up, on SQLite
        going down)."""
        past = sa.ColumnElement.__lt__ if self.descending else sa.ColumnElement.__gt__
        if self.column is None:
            return [[past(self.id, last)]]
        nulls_last = (db.session.get_bind().dialect.name == "postgresql") != self.descending
        if value is None:
            segments = [[self.column.is_(None), past(self.id, last)]]
            return segments if nulls_last else [*segments, [self.column.is_not(None)]]
        bound = self.column <= value if self.descending else self.column >= value
        segments = [[bound, past(sa.tuple_(self.column, self.id), sa.tuple_(value, last))]]
        return [*segments, [self.column.is_(None)]] if nulls_last else segments


class ListPage:
    """A page of a list: numbered (at an offset, the first pages only) or after a row; its count
    capped, its next page a number or a row to start after."""

    def __init__(self, items: list, per_page: int, total: int, exact: bool,
                 page: int | None, next_after: str | None):
        self.items, self.per_page, self.total, self.exact = items, per_page, total, exact
        self.page, self.next_after = page, next_after

    @property
    def shown_total(self) -> str:
        return shown_count(self.total, self.exact)

    @property
    def more(self) -> bool:
        """Whether the count stopped at the cap."""
        return self.total > COUNT_CAP and not self.exact

    @property
    def pages(self) -> int:
        """The numbered pages offered: those within the first COUNT_CAP rows."""
        return min(math.ceil(min(self.total, COUNT_CAP) / self.per_page), COUNT_CAP // self.per_page)

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.page and self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def has_prev(self) -> bool:
        return bool(self.page) and self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.page and self.page < self.pages else None

    def iter_pages(self, **edges):
        if self.page is None:
            return iter(())
        return Pagination.iter_pages(self, **edges)


def page_of(query: sa.Select, order: Order, count: sa.Select, args, per_page: int,
            remember: tuple) -> ListPage:
    """The page of the sorted query the arguments ask for: `after` a row, else a numbered page
    (`page`); counted up to the cap unless `count=exact`, the count remembered under the key
    given until the registry changes."""
    exact = args.get("count") == "exact"
    start = order.read(args.get("after", ""))
    number = None if start is not None else page_number(args)
    if start is None:
        items = list(db.session.scalars(query.limit(per_page + 1).offset((number - 1) * per_page))
                     .unique())
    else:
        items = rows_after(query, order, start, per_page + 1)
    beyond, items = len(items) > per_page, items[:per_page]
    total = memo.remembered((*remember, exact), lambda: db.session.scalar(capped(count, exact)))
    page = ListPage(items, per_page, total, exact, number, None)
    if beyond and page.next_num is None:
        page.next_after = next_cursor(order, items[-1])
    return page


def rows_after(query: sa.Select, order: Order, start: tuple[object, int] | None,
               limit: int) -> list:
    """Up to limit rows of the sorted query after the row start names (from the first without
    one), read segment by segment (Order.after)."""
    if start is None:
        return list(db.session.scalars(query.limit(limit)).unique())
    items: list = []
    for clauses in order.after(*start):
        items += db.session.scalars(query.where(*clauses).limit(limit - len(items))).unique()
        if len(items) >= limit:
            break
    return items


def next_cursor(order: Order, row: object) -> str:
    """The `after` argument of the page that follows this row."""
    return order.cursor(row, _sort_value(order, row))


def _sort_value(order: Order, row: object) -> object:
    """The row's value of the sort column, read back from the database (the column may be a
    related record's)."""
    if order.column is None:
        return None
    table = type(row)
    return db.session.scalar(sa.select(order.column).select_from(table)
                             .join_from(table, order.column.table, isouter=True)
                             .where(table.id == row.id)) \
        if order.column.table is not table.__table__ else getattr(row, order.column.key)
