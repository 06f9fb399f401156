"""Management numbers in a series (ENT-0001, CON-0001, CHK-0001): the next free one to suggest."""

from __future__ import annotations

import sqlalchemy as sa

from registry.extensions import db

DIGITS = "0123456789"
#: the fewest digits a suggested number has (the example inventory's ENT-0001)
WIDTH = 4
#: a longer run of digits is no number of the series (nor would it fit a BIGINT)
MAX_DIGITS = 18


def next_in_series(column: sa.ColumnElement[str], prefix: str) -> str:
    """The number after the highest one the records hold in the series PREFIX + digits, as wide
    as the widest of them (at least WIDTH digits): one aggregate statement over the column. It is
    a suggestion; the service still refuses a number that another record holds on saving."""
    digits = sa.func.substr(column, len(prefix) + 1)
    numbered = sa.and_(sa.func.substr(column, 1, len(prefix)) == prefix,
                       sa.func.length(digits).between(1, MAX_DIGITS),
                       sa.func.ltrim(digits, DIGITS) == "")
    highest, width = db.session.execute(
        sa.select(sa.func.max(sa.cast(digits, sa.BigInteger)), sa.func.max(sa.func.length(digits)))
        .where(numbered)).one()
    return f"{prefix}{(highest or 0) + 1:0{max(WIDTH, width or 0)}d}"
