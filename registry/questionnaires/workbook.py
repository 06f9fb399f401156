"""The questionnaire workbook sent to a vendor: instructions, its details as the registry holds
them, what is entrusted, the questions with protected cells, and a signed hidden sheet."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so

from registry.consignees.models import Consignee, Entrustment
from registry.core.schema import Field, describe_model
from registry.exchange.book import Workbook
from registry.extensions import db
from registry.questionnaires.models import (
    Answer,
    AnswerType,
    Questionnaire,
    WorkbookLanguage,
)

FORMAT_VERSION = 1
HIDDEN_SHEET = "_questionnaire"
#: the answers of a yes / no question as its drop-down offers them, by workbook language
YES_NO_NA = {
    WorkbookLanguage.BOTH: ["はい / Yes", "いいえ / No", "該当なし / N/A"],
    WorkbookLanguage.JA: ["はい", "いいえ", "該当なし"],
    WorkbookLanguage.EN: ["Yes", "No", "N/A"],
}
TITLE = ("個人情報の取扱状況に関する確認書", "Questionnaire on the handling of personal information")
#: the instructions, each line in Japanese and English
INSTRUCTIONS = (
    ("「質問」シートの黄色のセルに回答、コメント、根拠資料を記入してください。",
     "Please answer in the yellow cells of the sheet “Questions”, with comments and evidence."),
    ("「貴社情報」シートの内容に誤りがあれば、黄色のセルを修正してください。",
     "If your details in the sheet “Company details” are wrong, correct the yellow cells."),
    ("どの表計算ソフトで保存しても構いません。シート名や非表示のシートは変更しないでください。",
     "Any spreadsheet program may save the file. Do not rename sheets or edit hidden sheets."),
)


def worded(language: WorkbookLanguage, ja: str, en: str) -> str:
    """A text of the workbook in its language ("ja / en" in a bilingual one)."""
    if language == WorkbookLanguage.JA:
        return ja
    if language == WorkbookLanguage.EN:
        return en
    return f"{ja} / {en}"


_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|]')


def filename(questionnaire: Questionnaire) -> str:
    """The workbook's file name: its reference and its consignee's name, without the characters
    file systems refuse (spaces as _): QNR-20261202-0001-Northwind_Cloud.xlsx."""
    name = "".join(c for c in questionnaire.consignee.name if c.isprintable())
    name = "_".join(_UNSAFE_IN_NAMES.sub(" ", name).split())[:80].strip("._")
    return f"{questionnaire.reference}-{name}.xlsx" if name else f"{questionnaire.reference}.xlsx"


def details() -> list[tuple[Field, bool]]:
    """The consignee's details the workbook shows, and whether the vendor may correct each: its
    name, then the fields its description marks as the vendor's to correct."""
    description = describe_model(Consignee)
    return [(description.by_name["name"], False),
            *((f, True) for f in description.fields if f.spec.vendor)]


def payload(questionnaire: Questionnaire) -> dict:
    """What the signature covers: which questionnaire, for whom, which question versions."""
    consignee = questionnaire.consignee
    return {
        "format": FORMAT_VERSION, "questionnaire": questionnaire.reference,
        "consignee": consignee.id, "name": consignee.name, "country": consignee.country,
        "issued_on": questionnaire.issued_on.isoformat(),
        "questions": [[v.question.code, v.version] for v in questionnaire.questions],
    }


def sign(data: dict) -> str:
    """HMAC-SHA256 of the payload with the registry's secret key."""
    message = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()


def write(questionnaire: Questionnaire, path: Path) -> None:
    """Write the questionnaire workbook for its consignee."""
    book = Workbook(path)
    formats = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "header": book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1,
                                   "text_wrap": True, "valign": "top"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "answer": book.add_format({"locked": False, "bg_color": "#FFF2CC", "border": 1,
                                   "text_wrap": True, "valign": "top"}),
        "date": book.add_format({"locked": False, "bg_color": "#FFF2CC", "border": 1,
                                 "num_format": "yyyy-mm-dd"}),
        # evidence asked for: a stronger colour than the other answer cells
        "evidence": book.add_format({"locked": False, "bg_color": "#FFD966", "border": 2,
                                     "text_wrap": True, "valign": "top"}),
    }
    _instructions(book, formats, questionnaire)
    _details(book, formats, questionnaire)
    _entrusted(book, formats, questionnaire)
    _questions(book, formats, questionnaire)
    hidden = book.add_worksheet(HIDDEN_SHEET)
    data = payload(questionnaire)
    hidden.write_string(0, 0, "payload")
    hidden.write_string(0, 1, json.dumps(data, sort_keys=True, ensure_ascii=False))
    hidden.write_string(1, 0, "signature")
    hidden.write_string(1, 1, sign(data))
    hidden.protect()
    hidden.very_hidden()
    book.close()


def _instructions(book, formats, questionnaire: Questionnaire) -> None:
    language = questionnaire.language
    sheet = book.add_worksheet("回答方法 Instructions")
    sheet.set_column(0, 0, 110)
    lines = [worded(language, *TITLE)]
    for ja, en in INSTRUCTIONS:
        lines += {WorkbookLanguage.JA: [ja], WorkbookLanguage.EN: [en]}.get(language, [ja, en])
    for row, line in enumerate(lines):
        sheet.write_string(row, 0, line, formats["title"] if row == 0 else None)
    row = len(lines) + 1
    for label, value in ((worded(language, "管理番号", "Reference"), questionnaire.reference),
                         (worded(language, "発行日", "Issued on"),
                          questionnaire.issued_on.isoformat()),
                         (worded(language, "回答期限", "Answer by"),
                          questionnaire.due_on.isoformat())):
        sheet.write_string(row, 0, f"{label}: {value}")
        row += 1
    sheet.protect()


def _details(book, formats, questionnaire: Questionnaire) -> None:
    language = questionnaire.language
    sheet = book.add_worksheet("貴社情報 Company details")
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 60)
    sheet.write_row(0, 0, [worded(language, "項目", "Item"),
                           worded(language, "登録内容（誤りは修正してください）", "As registered")],
                    formats["header"])
    for row, (described, editable) in enumerate(details(), start=1):
        sheet.write_string(row, 0, worded(language, described.label.ja, described.label.en),
                           formats["wrap"])
        value = getattr(questionnaire.consignee, described.name) or ""
        sheet.write_string(row, 1, value, formats["answer"] if editable else formats["wrap"])
    sheet.protect()


def _entrusted(book, formats, questionnaire: Questionnaire) -> None:
    language = questionnaire.language
    sheet = book.add_worksheet("委託内容 Entrusted work")
    for column, width in enumerate((14, 40, 40, 50)):
        sheet.set_column(column, column, width)
    sheet.write_row(0, 0, [worded(language, "管理番号", "Reference"),
                           worded(language, "利用目的", "Purpose"),
                           worded(language, "個人情報項目", "Data"),
                           worded(language, "委託業務", "Work")], formats["header"])
    special = {WorkbookLanguage.JA: "（要配慮）", WorkbookLanguage.EN: " (special care)"}.get(
        language, "（要配慮 / special care）")
    entrustments = db.session.scalars(
        sa.select(Entrustment).where(Entrustment.consignee_id == questionnaire.consignee_id)
        .options(so.joinedload(Entrustment.purpose), so.selectinload(Entrustment.categories))
        .order_by(Entrustment.reference))
    for row, entrustment in enumerate(entrustments, start=1):
        categories = ", ".join(c.name + special if c.special_care else c.name
                               for c in entrustment.categories)
        sheet.write_row(row, 0, [entrustment.reference, str(entrustment.purpose), categories,
                                 entrustment.work], formats["wrap"])
    sheet.protect()


def _questions(book, formats, questionnaire: Questionnaire) -> None:
    """The questions, one a row: code, area, the wording (in a bilingual workbook, Japanese in C
    and English in D; else the one language in C, D left empty and hidden), then the answer,
    comment and evidence cells in E, F and G, where the reader looks for them."""
    language = questionnaire.language
    sheet = book.add_worksheet("質問 Questions")
    bilingual = language == WorkbookLanguage.BOTH
    headers = [worded(language, "コード", "Code"), worded(language, "分野", "Area"),
               "質問" if bilingual else worded(language, "質問", "Question"),
               "Question" if bilingual else "",
               worded(language, "回答", "Answer"), worded(language, "コメント", "Comment"),
               worded(language, "根拠資料", "Evidence")]
    for column, width in enumerate((10, 16, 50, 50, 18, 36, 24)):
        sheet.set_column(column, column, width, None, {"hidden": column == 3 and not bilingual})
    sheet.write_row(0, 0, headers, formats["header"])
    sheet.freeze_panes(1, 0)
    previous = previous_answers(questionnaire)
    for row, version in enumerate(questionnaire.questions, start=1):
        question = version.question
        area = worded(language, question.area.label.ja, question.area.label.en)
        wording = [version.text_ja, version.text_en] if bilingual else \
            [worded(language, version.text_ja, version.text_en), ""]
        sheet.write_row(row, 0, [question.code, area, *wording], formats["wrap"])
        given = previous.get(version.id)
        cells = (_shown_answer(given.answer, language), given.comment, given.evidence) if given \
            else ("",) * 3
        for column, value in enumerate(cells, start=4):
            style = formats["evidence"] if column == 6 and question.evidence_requested \
                else formats["answer"]
            if value:
                sheet.write_string(row, column, value, style)
            else:
                sheet.write_blank(row, column, None, style)
        if question.evidence_requested:
            sheet.data_validation(row, 6, row, 6, {
                "validate": "any", "input_title": worded(language, "根拠資料", "Evidence"),
                "input_message": {
                    WorkbookLanguage.JA: "根拠資料（文書名など）をご記入ください。",
                    WorkbookLanguage.EN: "Please name the document that shows this."}.get(
                        language, "根拠資料（文書名など）をご記入ください。\n"
                                  "Please name the document that shows this.")})
        _answer_validation(sheet, row, question, language)
    sheet.protect()


def previous_answers(questionnaire: Questionnaire) -> dict[int, Answer]:
    """The consignee's latest answer to each question version asked again unchanged, so the
    vendor confirms or corrects rather than starts over."""
    asked = [v.id for v in questionnaire.versions]
    latest = (sa.select(sa.func.max(Answer.id))
              .join(Questionnaire, Questionnaire.id == Answer.questionnaire_id)
              .where(Questionnaire.consignee_id == questionnaire.consignee_id,
                     Answer.version_id.in_(asked))
              .group_by(Answer.version_id))
    return {a.version_id: a for a in db.session.scalars(sa.select(Answer).where(
        Answer.id.in_(latest)))}


def _shown_answer(answer: str, language: WorkbookLanguage) -> str:
    """A stored yes / no / n/a as the drop-down shows it."""
    words = YES_NO_NA[language]
    return {"yes": words[0], "no": words[1], "n/a": words[2]}.get(answer, answer)


def _answer_validation(sheet, row: int, question, language: WorkbookLanguage) -> None:
    if question.answer_type == AnswerType.YES_NO:
        sheet.data_validation(row, 4, row, 4, {"validate": "list", "source": YES_NO_NA[language]})
    elif question.answer_type == AnswerType.CHOICE and question.options:
        sheet.data_validation(row, 4, row, 4, {"validate": "list",
                                               "source": question.options.split("|")})
    elif question.answer_type == AnswerType.DATE:
        sheet.data_validation(row, 4, row, 4, {"validate": "date", "criteria": ">",
                                               "value": date(1900, 1, 1), "ignore_blank": True,
                                               "error_message": "yyyy-mm-dd"})
    elif question.answer_type == AnswerType.NUMBER:
        sheet.data_validation(row, 4, row, 4, {"validate": "decimal", "criteria": ">=",
                                               "value": 0, "ignore_blank": True})
