# ruff: noqa: E501  (the parts are XML written out as a spreadsheet program writes them)
"""Ledgers written as raw XML, for the cases spreadsheet libraries do not write: rich-text runs
and furigana in shared strings, _xHHHH_ escapes, inline strings, cells without references, ISO
date cells, the 1904 date system, Strict Open XML."""

from __future__ import annotations

import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
CT = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'''
RELS = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'''
def wb(date1904: bool, ns: str) -> str:
    pr = '<workbookPr date1904="1"/>' if date1904 else ''
    return f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{ns}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{pr}<sheets><sheet name="台帳" sheetId="1" r:id="rId1"/></sheets></workbook>'''
WBRELS = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>'''
STYLES = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy/m/d"/></numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>'''
SST = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>利用目的</t></si><si><t>データ項目</t></si><si><r><t>委託先</t></r><r><rPr><b/></rPr><t>名</t></r></si><si><t>監督実施日</t></si><si><t>山田配送</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh><phoneticPr fontId="1"/></si><si><t>氏名_x000D_住所</t></si></sst>'''
def sheet(ns: str) -> str:
    return f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{ns}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="inlineStr"><is><t>契約開始日</t></is></c></row><row><c t="inlineStr"><is><t>配送</t></is></c><c t="s"><v>5</v></c><c t="s"><v>4</v></c><c s="1"><v>45000</v></c><c><v>45000</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>分析</t></is></c><c r="B3" t="inlineStr"><is><t>閲覧履歴</t></is></c><c r="C3" t="inlineStr"><is><t>株式会社ほし</t></is></c><c r="D3" t="d"><v>2025-04-01T00:00:00</v></c></row></sheetData><autoFilter ref="A1:D3"/></worksheet>'''
def build(path, date1904: bool = False, strict: bool = False):
    """A one-sheet ledger (台帳) with two rows of data, as raw XML."""
    ns = STRICT if strict else MAIN
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", wb(date1904, ns))
        z.writestr("xl/_rels/workbook.xml.rels", WBRELS)
        z.writestr("xl/styles.xml", STYLES.replace(MAIN, ns))
        z.writestr("xl/sharedStrings.xml", SST.replace(MAIN, ns))
        z.writestr("xl/worksheets/sheet1.xml", sheet(ns))
    return path
