"""The stored records a plan compares rows with, looked up by key when the kind is large: the
index narrows a key to candidates by hash, and only the record whose real key it is answers."""

from __future__ import annotations

import openpyxl
import pytest

from registry.exchange import pipeline, stored, write
from registry.exchange.apply import apply
from registry.exchange.resources import RESOURCES
from registry.extensions import db
from tests import factories as f


def test_a_lookup_answers_as_the_records_read_whole(app_ctx, colliding):
    grants = [f.make_grant(system=f"S{n}") for n in range(5)]
    db.session.flush()
    resource = RESOURCES["access_grants"]
    whole, lookup = stored.Stored(resource), stored.Lookup(resource)
    assert len(lookup) == len(whole) == 5
    keys = list(whole)
    assert sorted(lookup) == sorted(keys)
    lookup.fetch(keys[:2])
    for key in keys:
        assert key in lookup and lookup[key] == whole[key] == lookup.get(key)
    missing = (keys[0][0], keys[0][1], "no such system")
    assert missing not in lookup and lookup.get(missing) is None
    with pytest.raises(KeyError):
        lookup[missing]
    assert dict(lookup.items()) == {key: whole[key] for key in keys}
    ids = {grants[1].id, grants[3].id}
    assert lookup.keys_of(ids) == whole.keys_of(ids) == {
        grant.id: (grant.employee.number, grant.category.name, grant.system)
        for grant in (grants[1], grants[3])}


def test_a_plan_with_colliding_keys_is_the_plan(app_ctx, colliding, tmp_path):
    """The export re-imported with a change: one update, all else unchanged, however the keys
    hash."""
    for n in range(4):
        f.make_grant(system=f"S{n}")
    db.session.commit()
    path = tmp_path / "export.xlsx"
    _export_with(path, 3, "Granted by", "監査担当")
    plan = pipeline.plan_file(path)
    assert plan.valid, [str(i) for i in plan.issues]
    grants = next(s for s in plan.sheets if s.resource.name == "access_grants")
    assert grants.counts["update"] == 1 and grants.counts["unchanged"] == 3
    (row,) = grants.changed()
    assert row.row == 3 and row.changes["granted_by"][1] == "監査担当"


def test_a_sync_plan_with_colliding_keys_deletes_only_the_missing_record(app_ctx, colliding,
                                                                         tmp_path):
    """The keys seen are compared by hash, then by key: with --sync, a grant missing from its
    sheet is deleted, and none of the others, however the keys hash."""
    grants = [f.make_grant(system=f"S{n}") for n in range(5)]
    db.session.commit()
    path = tmp_path / "export.xlsx"
    write.export(path, "en")
    book = openpyxl.load_workbook(path)
    book["Access grants"].delete_rows(4)
    book.save(path)
    plan = pipeline.plan_file(path, sync=True)
    assert plan.valid, [str(i) for i in plan.issues]
    sheet = next(s for s in plan.sheets if s.resource.name == "access_grants")
    assert [row.record_id for row in sheet.rows if row.action == "delete"] == [grants[2].id]
    assert sheet.counts["unchanged"] == 4


def test_an_import_plans_and_applies_with_a_small_sqlite_page_cache_then_gives_it_back(
        app_ctx, tmp_path):
    """SQLite's page cache is the process's memory: the plan, which reads each stored record
    once, and the apply, which writes each page about once, have 8 MiB of it; the connection gets
    its own 64 MiB back after each."""
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL's cache is the server's")
    f.make_grant()
    db.session.commit()
    path = tmp_path / "grants.xlsx"
    _export_with(path, 2, "System", "a new system")

    def cache_size() -> int:
        return db.session.connection().exec_driver_sql("PRAGMA cache_size").scalar()

    during = []
    plan = pipeline.plan_file(path, progress=lambda done, total: during.append(cache_size()))
    assert plan.valid and plan.changes_anything and during and set(during) == {-8192}
    assert cache_size() == -65536
    during.clear()
    apply(plan, "grants.xlsx", path.read_bytes(),
          progress=lambda done, total: during.append(cache_size()))
    assert during and set(during) == {-8192}
    assert cache_size() == -65536


def _export_with(path, row: int, header: str, value: str) -> None:
    """The whole registry exported to path, one cell of its access grants changed: the column
    whose header starts with header, on row."""
    write.export(path, "en")
    book = openpyxl.load_workbook(path)
    sheet = book["Access grants"]
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row, next(i for i, h in enumerate(headers, start=1) if h.startswith(header)), value)
    book.save(path)
