"""Every workbook the registry writes goes through the one text-cell writer (issue 15, point 12):
the writers are found in the source, and each one, given formula-like text wherever it shows
records, writes it as text with the quote prefix."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from registry.exchange import write
from registry.incidents import report as incident_report
from registry.questionnaires import bank, issuance
from registry.questionnaires import workbook as questionnaire
from registry.reporting import quarterly
from registry.reporting import workbook as report
from tests import factories as f
from tests.exchange.helpers import FORMULA_TEXT, assert_formula_text_kept
from tests.reporting.test_report_text import Q2, hostile_quarter

SOURCE = Path(__file__).parent.parent / "registry"
#: the one module that may use a spreadsheet or CSV writing library itself
TEXT_CELL_WRITER = "registry.exchange.book"
LIBRARIES = {"openpyxl", "xlsxwriter", "xlwt", "odf", "pyexcel"}
WRITING = {"csv.writer", "csv.DictWriter", "to_csv", "to_excel", "ExcelWriter"}
#: each workbook writer (a module that makes a text-cell writer's Workbook), writing to a path
WRITERS = {
    "registry.exchange.write": write.export,
    "registry.reporting.workbook": lambda path: report.write(quarterly.build(Q2), path),
    "registry.incidents.report": lambda path: incident_report.write(
        [*incident_report.build(f.make_incident(summary=FORMULA_TEXT[0])),
         *(incident_report.Item("その他参考となる事項", text) for text in FORMULA_TEXT[1:])], path),
    "registry.questionnaires.workbook": lambda path: questionnaire.write(
        issuance.issue(f.make_consignee(name=FORMULA_TEXT[0], country="US")), path),
}


def modules():
    for path in sorted(SOURCE.rglob("*.py")):
        name = ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts)
        yield name, ast.parse(path.read_text(encoding="utf-8"))


def writes_files_itself(tree: ast.Module) -> bool:
    """Whether a module imports a spreadsheet library (but xlsxwriter's cell-name utility), or
    writes CSV or spreadsheets through the standard library or pandas."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""])
            if any(name.split(".")[0] in LIBRARIES and name != "xlsxwriter.utility"
                   for name in names):
                return True
        elif isinstance(node, ast.Attribute) and (node.attr in WRITING or
                                                  ast.unparse(node) in WRITING):
            return True
    return False


def makes_workbooks(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.ImportFrom) and node.module == TEXT_CELL_WRITER
               and any(alias.name == "Workbook" for alias in node.names)
               for node in ast.walk(tree))


def test_every_workbook_is_written_through_the_text_cell_writer():
    assert [name for name, tree in modules() if writes_files_itself(tree)] == [TEXT_CELL_WRITER]
    assert {name for name, tree in modules() if makes_workbooks(tree)} == set(WRITERS), \
        "a new workbook writer: add it to WRITERS"


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_writer_keeps_formula_like_text_as_text(app_ctx, tmp_path, writer):
    bank.seed()
    hostile_quarter()
    for text in FORMULA_TEXT:
        f.make_question(text_ja=text, text_en=text)
    path = tmp_path / "written.xlsx"
    WRITERS[writer](path)
    assert_formula_text_kept(path)
