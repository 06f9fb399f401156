"""The best statements for a heavy page's content, written by hand (issue 17's baseline): what an
expert would send for the same rows, counts and filter options, on the same indexes. The page's
own statements are measured against these, replayed with the same bare driver.

Each page is a function of the dialect returning its statements, written with %(name)s
parameters (turned into :name for sqlite3)."""

from __future__ import annotations

import re
import time

#: the filters of issue 17's grant list: in force, level "edit", newest first
GRANTS = {"level": "edit", "cap": 1001, "sample": 2001, "shown": 50}
KINDS = ("personal", "special_care", "identification_code", "personally_referable",
         "pseudonymized", "anonymized")
STATUSES = ("active", "leave", "departed")
LEVELS = ("read", "edit", "export", "admin")


def _capped(where: str, joins: str = "") -> str:
    return (f"(SELECT count(*) FROM (SELECT 1 FROM access_grants g {joins} WHERE {where} "
            f"LIMIT %(cap)s) AS capped)")


def grants() -> list[tuple[str, dict]]:
    """/grants/?state=active&level=edit&sort=-granted_on: a page of rows, the capped count, and
    each filter's options counted under the others (capped), the categories from a sample."""
    in_force = "g.revoked_on IS NULL"
    level = "g.level = %(level)s"
    category = "JOIN data_categories c ON c.id = g.category_id"
    employee = "JOIN employees e ON e.id = g.employee_id"
    options = {**GRANTS, **{f"kind_{k}": k for k in KINDS}, **{f"status_{s}": s for s in STATUSES},
               **{f"level_{v}": v for v in LEVELS}}
    return [(statement, options) for statement in [
        "SELECT e.id, e.number, c.id, c.name, g.id, g.level, g.system, g.granted_on, "
        "g.last_reviewed_on, g.revoked_on FROM access_grants g "
        f"{employee} {category} WHERE {in_force} AND {level} "
        "ORDER BY g.granted_on DESC, g.id DESC LIMIT %(shown)s + 1",
        f"SELECT {_capped(f'{in_force} AND {level}')}",
        f"SELECT {_capped(f'{level} AND g.revoked_on IS NULL')}, "
        f"{_capped(f'{level} AND g.revoked_on IS NOT NULL')}",
        "SELECT " + ", ".join(_capped(f"{in_force} AND g.level = %(level_{v})s") for v in LEVELS),
        "SELECT " + ", ".join(_capped(f"{in_force} AND {level} AND c.appi_kind = %(kind_{k})s",
                                      category) for k in KINDS),
        "SELECT " + ", ".join(_capped(f"{in_force} AND {level} AND e.status = %(status_{s})s",
                                      employee) for s in STATUSES),
        # every grant has one category: the sample grouped by category, the names joined to the
        # groups, and the groups' counts adding up to the sample's size
        "SELECT c.id, c.name, sample.n FROM (SELECT category_id, count(*) AS n FROM "
        f"(SELECT g.category_id FROM access_grants g WHERE {in_force} AND {level} "
        "LIMIT %(sample)s) AS rows GROUP BY category_id) AS sample "
        "JOIN data_categories c ON c.id = sample.category_id "
        "ORDER BY sample.n DESC, c.name LIMIT %(shown)s",
    ]]


#: the page benchmark's name for issue 17's grant list
GRANTS_PAGE = "grants in force"
#: the heavy pages with their hand-written statements, by the page benchmark's name
PAGES = {GRANTS_PAGE: grants}


def driver_statement(statement: str, sqlite: bool) -> str:
    return re.sub(r"%\((\w+)\)s", r":\1", statement) if sqlite else statement


def timed(connection, statements: list[tuple[str, object]], sqlite: bool) -> float:
    """Seconds the statements take on a bare driver connection, every row fetched."""
    cursor = connection.cursor()
    started = time.perf_counter()
    for statement, parameters in statements:
        cursor.execute(statement, parameters)
        if cursor.description:
            cursor.fetchall()
    return time.perf_counter() - started
