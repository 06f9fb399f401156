"""The HR leaver feed: `registry employees sync` run as a scheduler runs it (a real process) on the
example registry, with the HR list written as Excel writes a CSV (Shift_JIS, CRLF) or as a
workbook: employees added and changed, a departure recorded, the leaver's grants listed and, with
--revoke, revoked on the departure day; problems located and nothing written; a file refused."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import openpyxl

from tests.served import count, registry, run

HEADINGS = ["社員番号", "氏名", "所属", "在籍区分", "退職日"]
ROWS = [
    ["E0001", "高橋 直樹", "経営企画部", "在籍", ""],
    ["E0002", "佐々木 美咲", "法務部", "在籍", ""],          # moved to another department
    ["E0003", "中村 健太", "経営企画部", "退職", "2026/10/31"],  # left: 2 grants in force
    ["E9001", "新井 一郎", "情報システム部", "在籍", ""],      # joined
]


def _csv(path: Path, rows=ROWS) -> Path:
    """The list as Excel saves a CSV on Japanese Windows: CP932, CRLF line ends."""
    text = "\r\n".join(",".join(row) for row in [HEADINGS, *rows]) + "\r\n"
    path.write_bytes(text.encode("cp932"))
    return path


def _example(env: dict, tmp_path: Path) -> Path:
    registry(env, "init")
    registry(env, "demo")
    return tmp_path / "cli.db"


def _grants_in_force(database: Path, number: str) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT g.system, g.revoked_on, g.revoke_reason FROM access_grants g JOIN employees e "
            "ON e.id = g.employee_id WHERE e.number = ? ORDER BY g.system", (number,)).fetchall()


def _employee(database: Path, number: str) -> tuple | None:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT name, department, status, departed_on FROM employees "
                                  "WHERE number = ?", (number,)).fetchone()


def test_a_cp932_csv_syncs_the_employees_and_revokes_a_leavers_access(fresh_env, tmp_path):
    database = _example(fresh_env, tmp_path)
    before = count(database, "employees")
    grants = _grants_in_force(database, "E0003")
    assert grants and all(revoked is None for _, revoked, _ in grants)
    listed = _csv(tmp_path / "社員マスタ.csv")

    dry = run(fresh_env, "employees", "sync", str(listed), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"Leaver E0003 中村 健太 (departed on 2026-10-31): {len(grants)} access grant(s) in " \
           "force, to revoke:" in dry.stdout
    assert "Run again with --revoke" in dry.stdout
    assert count(database, "employees") == before, "a dry run writes nothing"

    kept = run(fresh_env, "employees", "sync", str(listed))
    assert kept.returncode == 0, kept.stderr
    assert _employee(database, "E0002")[1] == "法務部"
    assert _employee(database, "E9001") == ("新井 一郎", "情報システム部", "active", None)
    assert _employee(database, "E0003")[2:] == ("departed", "2026-10-31")
    assert all(revoked is None for _, revoked, _ in _grants_in_force(database, "E0003")), \
        "without --revoke the grants are only listed"
    assert count(database, "employees") == before + 1

    revoked = run(fresh_env, "employees", "sync", str(listed), "--revoke")
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked on that day" in revoked.stdout and "Applied as import batch" in revoked.stdout
    assert _grants_in_force(database, "E0003") == [
        (system, "2026-10-31", "退職（人事データの取込による）") for system, _, _ in grants]
    again = run(fresh_env, "employees", "sync", str(listed), "--revoke")
    assert again.returncode == 0 and "Nothing to change" in again.stdout and "Leaver" not in again.stdout


def test_a_workbook_with_a_title_row_is_read_too(fresh_env, tmp_path):
    database = _example(fresh_env, tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["社員一覧（2026年11月末）"])
    sheet.append(HEADINGS)
    sheet.append(["E0004", "小林 由美", "カスタマーサポート部", "退職", date(2026, 11, 30)])
    book.save(tmp_path / "hr.xlsx")
    done = run(fresh_env, "employees", "sync", str(tmp_path / "hr.xlsx"), "--revoke")
    assert done.returncode == 0, done.stderr
    assert _employee(database, "E0004")[2:] == ("departed", "2026-11-30")
    assert all(revoked == "2026-11-30" for _, revoked, _ in _grants_in_force(database, "E0004"))


def test_problems_are_located_and_nothing_is_written(fresh_env, tmp_path):
    database = _example(fresh_env, tmp_path)
    bad = _csv(tmp_path / "bad.csv", [["E0002", "佐々木 美咲", "法務部", "退職", ""],
                                      ["E9002", "", "総務部", "在籍", ""]])
    done = run(fresh_env, "employees", "sync", str(bad), "--revoke")
    assert done.returncode == 1
    assert "row 2" in done.stderr and "row 3" in done.stderr, done.stderr
    assert _employee(database, "E0002")[2] == "active" and _employee(database, "E9002") is None
    headless = tmp_path / "list.csv"
    headless.write_bytes(b"\x00\x01\x02" * 10)
    unread = run(fresh_env, "employees", "sync", str(headless))
    assert unread.returncode == 1 and "no header row found" in unread.stderr
    broken = tmp_path / "list.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip" * 5)
    refused = run(fresh_env, "employees", "sync", str(broken))
    assert refused.returncode == 2 and "damaged" in refused.stderr
    assert run(fresh_env, "employees", "sync", str(tmp_path / "none.csv")).returncode == 2


def test_the_same_list_through_the_browser_with_its_preview(app_ctx, as_role):
    """Uploaded on the Excel page, previewed with the leaver and the grant to revoke, applied."""
    import io

    from registry.extensions import db
    from registry.people.models import AccessGrant, Employee
    from tests import factories as f

    leaver = f.make_employee(number="H0001", name="退職 予定")
    grant = f.make_grant(employee=leaver, system="顧客管理システム", granted_on=date(2025, 4, 1))
    db.session.commit()
    editor = as_role("editor")
    listed = ("社員番号,氏名,在籍区分,退職日\r\nH0001,退職 予定,退職,2026/10/31\r\n").encode("cp932")
    answer = editor.post("/employees/sync", data={
        "hr_list": (io.BytesIO(listed), "社員マスタ.csv"), "revoke": "y"},
        content_type="multipart/form-data")
    assert answer.status_code == 302 and "/import/" in answer.headers["Location"]
    preview = editor.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Leavers with access in force" in preview and "H0001 退職 予定" in preview
    assert "顧客管理システム" in preview and "Applying revokes each of these grants" in preview
    applied = editor.post(answer.headers["Location"] + "/apply", form_url=answer.headers["Location"])
    assert applied.status_code == 302
    db.session.expire_all()
    assert db.session.get(Employee, leaver.id).departed_on == date(2026, 10, 31)
    assert db.session.get(AccessGrant, grant.id).revoked_on == date(2026, 10, 31)
    assert as_role("viewer").post("/employees/sync", data={}).status_code == 403
