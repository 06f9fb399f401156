"""The purpose x data-category matrix, built a window at a time so it stays small at any size."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup, escape

from registry.core.i18n import translated
from registry.core.web import link, paginate, record_url
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
    """A window of the matrix: purposes as rows, categories as columns, the links between them."""

    purposes: Pagination
    categories: Pagination
    used: set[tuple[int, int]]
    status: str
    kind: str

    def head(self) -> Markup:
        """The column headings: each category linked, special-care ones marked."""
        badge = f' <span class="badge special">{escape(translated("Special care"))}</span>'
        return Markup("".join(
            f'<th class="cat{" special" if c.special_care else ""}" scope="col">'
            f'{link(record_url(c), c.name)}{badge if c.special_care else ""}</th>'
            for c in self.categories.items))

    def row(self, purpose: Purpose) -> Markup:
        """One purpose's row as HTML (built here: a page has 625 cells, which cost more as Jinja
        expressions than as strings)."""
        code = escape(purpose.code)
        cells = [f'<th scope="row">{link(record_url(purpose), purpose.code)} {escape(purpose.title)}</th>']
        for category_id, name, special in self._columns:
            used = (purpose.id, category_id) in self.used
            classes = " ".join(word for word in ("used" if used else "", special) if word)
            mark = f'<span class="mark" title="{code} × {name}">●</span>' if used else ""
            cells.append(f'<td class="{classes}">{mark}</td>' if classes else f"<td>{mark}</td>")
        return Markup("".join(cells))

    @functools.cached_property
    def _columns(self) -> list[tuple[int, str, str]]:
        """(id, escaped name, "special" or "") of each category shown, worked out once a page."""
        return [(c.id, escape(c.name), "special" if c.special_care else "") for c in self.categories.items]


def build(args) -> Matrix:
    """The window of the matrix the query arguments ask for (pages pp and cp, filters)."""
    status = args.get("status", "active")
    kind = args.get("kind", "")
    purposes = sa.select(Purpose).order_by(Purpose.code)
    if status in {s.value for s in PurposeStatus}:
        purposes = purposes.where(Purpose.status == status)
    else:
        status = ""
    categories = sa.select(DataCategory).order_by(DataCategory.name)
    if kind in {k.value for k in AppiKind}:
        categories = categories.where(DataCategory.appi_kind == kind)
    else:
        kind = ""
    purpose_page = paginate(purposes, key="pp", per_page=PURPOSES_PER_PAGE)
    category_page = paginate(categories, key="cp", per_page=CATEGORIES_PER_PAGE)
    purpose_ids = [p.id for p in purpose_page.items]
    category_ids = [c.id for c in category_page.items]
    used: set[tuple[int, int]] = set()
    if purpose_ids and category_ids:
        rows = db.session.execute(
            sa.select(PurposeCategory.purpose_id, PurposeCategory.category_id).where(
                PurposeCategory.purpose_id.in_(purpose_ids),
                PurposeCategory.category_id.in_(category_ids),
            )
        )
        used = {(purpose_id, category_id) for purpose_id, category_id in rows}
    return Matrix(purpose_page, category_page, used, status, kind)

