"""The report of an incident to the PPC (漏えい等報告), its items in the order of PPC rule 8(1),
in Japanese, as the registry knows them: a preliminary report gives what is known, the final one
all of it. Ready to copy item by item into the PPC's online form, as a page or a workbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from registry.exchange.book import Workbook
from registry.incidents import assessment
from registry.incidents.models import Incident

#: what an item not yet known says (the preliminary report gives what is known)
UNKNOWN = "調査中"


@dataclass(frozen=True)
class Item:
    """One item of the report: its heading as rule 8(1) names it, and its content."""

    heading: str
    content: str


def _day(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "不明"


def _summary(incident: Incident, found: assessment.Assessment) -> str:
    kind = incident.kind.label.ja + ("のおそれ" if incident.suspected else "")
    lines = [incident.summary, f"事態の区分：{kind}", f"発生日：{_day(incident.occurred_on)}",
             f"発覚日：{_day(incident.learned_on)}"]
    if incident.consignee is not None:
        lines.append(f"発生した委託先：{incident.consignee.name}")
    if found.reasons:
        lines.append("報告対象となる事態：" + "、".join(reason.ja for reason in found.reasons))
    if incident.containment:
        lines.append(f"被害拡大防止の措置：{incident.containment}")
    return "\n".join(lines)


def _items(incident: Incident) -> str:
    names = [category.name + ("（要配慮個人情報）" if category.special_care else "")
             for category in incident.categories]
    return "、".join(names) or UNKNOWN


def _persons(incident: Incident) -> str:
    return UNKNOWN if incident.persons is None else f"{incident.persons:,}人（推定）"


def _done(day: date | None, done: str) -> str:
    return f"{_day(day)}に{done}" if day else "未実施"


def build(incident: Incident) -> list[Item]:
    """The items of rule 8(1), in its order."""
    found = assessment.assess(incident)
    return [
        Item("概要", _summary(incident, found)),
        Item("漏えい等が発生し、又は発生したおそれがある個人データの項目", _items(incident)),
        Item("漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数", _persons(incident)),
        Item("原因", incident.cause or UNKNOWN),
        Item("二次被害又はそのおそれの有無及びその内容", incident.secondary_harm or UNKNOWN),
        Item("本人への対応の実施状況", _done(incident.notified_on, "本人へ通知済み")),
        Item("公表の実施状況", _done(incident.published_on, "公表済み")),
        Item("再発防止のための措置", incident.prevention or UNKNOWN),
        Item("その他参考となる事項", incident.notes or "なし"),
    ]


def write(items: list[Item], path: Path) -> None:
    """The items as a sheet of two columns, item and content, through the text-cell writer."""
    book = Workbook(path)
    sheet = book.add_worksheet("報告事項")
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 1, 80)
    sheet.write_row(0, 0, ["項目", "内容"], bold)
    for row, item in enumerate(items, start=1):
        sheet.write_string(row, 0, item.heading, bold)
        sheet.write_string(row, 1, item.content, wrap)
    sheet.freeze_panes(1, 0)
    book.close()
