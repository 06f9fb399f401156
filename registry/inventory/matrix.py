"""The purpose x data-category matrix, built a window at a time so it stays small at any size."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup, escape

from registry.core.i18n import translated
from registry.core.web import DETAIL_ENDPOINTS, Window, cached_url_for, link, page_number
from registry.extensions import db
from registry.inventory.models import (
    AppiKind,
    DataCategory,
    Purpose,
    PurposeCategory,
    PurposeStatus,
)

PURPOSES_PER_PAGE = 25
CATEGORIES_PER_PAGE = 25


@dataclass
class Matrix:
    """A window of the matrix: purposes as rows, categories as columns, the links between them.
    Purposes are (id, code, title) rows and categories (id, name, special_care) rows."""

    purposes: Window
    categories: Window
    used: dict[int, set[int]]
    status: str
    kind: str

    def head(self) -> Markup:
        """The column headings: each category linked, special-care ones marked."""
        badge = f' <span class="badge special">{escape(translated("Special care"))}</span>'
        endpoint = DETAIL_ENDPOINTS[DataCategory]
        return Markup("".join(
            f'<th class="cat{" special" if special else ""}" scope="col">'
            f'{link(cached_url_for(endpoint, id=id_), name)}{badge if special else ""}</th>'
            for id_, name, special in self.categories.items))

    def body(self) -> Markup:
        """The purposes' rows as HTML (built here: a page has 625 cells, which cost more as Jinja
        expressions than as strings)."""
        endpoint = DETAIL_ENDPOINTS[Purpose]
        columns = [(id_, escape(name), ' class="special"' if special else "",
                    "used special" if special else "used")
                   for id_, name, special in self.categories.items]
        rows = []
        for id_, code, title in self.purposes.items:
            used = self.used.get(id_, ())
            code = escape(code)
            cells = [f'<tr><th scope="row">{link(cached_url_for(endpoint, id=id_), code)} '
                     f'{escape(title)}</th>']
            for category_id, name, plain, marked in columns:
                cells.append(f'<td class="{marked}"><span class="mark" title="{code} × {name}">●'
                             f'</span></td>' if category_id in used else f"<td{plain}></td>")
            cells.append("</tr>")
            rows.append("".join(cells))
        return Markup("\n".join(rows))


@functools.lru_cache(maxsize=32)
def _statements(status: str, kind: str) -> tuple:
    """The statements for one choice of filters, built once: both totals in one, each window."""
    purposes = sa.select(Purpose.id, Purpose.code, Purpose.title)
    if status:
        purposes = purposes.where(Purpose.status == status)
    categories = sa.select(DataCategory.id, DataCategory.name,
                           DataCategory.appi_kind == AppiKind.SPECIAL_CARE)
    if kind:
        categories = categories.where(DataCategory.appi_kind == kind)

    def total(query):
        return sa.select(sa.func.count()).select_from(query.subquery()).scalar_subquery()

    def window(query, order, prefix):
        return (query.order_by(order).limit(sa.bindparam(f"{prefix}_limit"))
                .offset(sa.bindparam(f"{prefix}_offset")))

    return (sa.select(total(purposes), total(categories)),
            window(purposes, Purpose.code, "purposes"),
            window(categories, DataCategory.name, "categories"))


_LINKS = sa.select(PurposeCategory.purpose_id, PurposeCategory.category_id).where(
    PurposeCategory.purpose_id.in_(sa.bindparam("purposes", expanding=True)),
    PurposeCategory.category_id.in_(sa.bindparam("categories", expanding=True)))


def build(args) -> Matrix:
    """The window of the matrix the query arguments ask for (pages pp and cp, filters), read
    in four statements of plain rows."""
    status = args.get("status", "active")
    if status not in {s.value for s in PurposeStatus}:
        status = ""
    kind = args.get("kind", "")
    if kind not in {k.value for k in AppiKind}:
        kind = ""
    counts, purposes, categories = _statements(status, kind)
    purpose_page, category_page = page_number(args, "pp"), page_number(args, "cp")
    connection = db.session.connection()
    purpose_total, category_total = connection.execute(counts).one()
    purpose_rows = connection.execute(purposes, {
        "purposes_limit": PURPOSES_PER_PAGE,
        "purposes_offset": (purpose_page - 1) * PURPOSES_PER_PAGE}).all()
    category_rows = connection.execute(categories, {
        "categories_limit": CATEGORIES_PER_PAGE,
        "categories_offset": (category_page - 1) * CATEGORIES_PER_PAGE}).all()
    used: dict[int, set[int]] = defaultdict(set)
    if purpose_rows and category_rows:
        for purpose_id, category_id in connection.execute(_LINKS, {
                "purposes": [row.id for row in purpose_rows],
                "categories": [row.id for row in category_rows]}):
            used[purpose_id].add(category_id)
    return Matrix(Window(purpose_page, PURPOSES_PER_PAGE, purpose_rows, purpose_total),
                  Window(category_page, CATEGORIES_PER_PAGE, category_rows, category_total),
                  used, status, kind)
