"""Letters answering a request: the shipped template for each decision, in Japanese with 和暦 days;
the company's own templates replacing them by name; a template's mistake or an attempt to reach
beyond its values named, never a broken page."""

from __future__ import annotations

import html
from datetime import date

import pytest

from registry.config import from_environment
from registry.extensions import db
from registry.rights import letters
from tests import factories as f

VERIFIED = {"identity_document": "運転免許証", "verified_on": date(2026, 10, 2)}


@pytest.mark.parametrize(("day", "written"), [
    (date(2019, 4, 30), "平成31年4月30日"),
    (date(2019, 5, 1), "令和元年5月1日"),
    (date(2026, 10, 1), "令和8年10月1日"),
])
def test_days_in_the_japanese_era(day, written):
    assert letters.wareki(day) == written


def test_each_decision_has_its_letter(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "COMPANY_NAME", "株式会社サンプル商事")
    pending = f.make_request(requester="山田 花子", received_on=date(2026, 10, 1))
    refused = f.make_request(decision="refused", ground="法第33条第2項第2号（業務の適正な実施に著しい支障）",
                             **VERIFIED)
    granted = f.make_request(kind="purpose_notice", decision="granted", fee=500,
                             categories=[f.make_category(name="氏名")],
                             concerned_purposes=[f.make_purpose(title="会員サービスの提供")],
                             **VERIFIED)
    db.session.commit()
    first = letters.write(pending)
    assert first.template == "pending.txt" and not first.own
    assert "山田 花子 様" in first.text and "株式会社サンプル商事" in first.text
    assert "令和8年10月1日にお受けした保有個人データの開示のご請求" in first.text
    assert "受け付けました" in first.text
    no = letters.write(refused).text
    assert "ご請求に応じないことといたしました" in no and "理由：法第33条第2項第2号" in no
    yes = letters.write(granted).text
    assert "利用目的の通知のご請求" in yes and "手数料：500円" in yes and "項目：氏名" in yes
    assert "対象となる利用目的：会員サービスの提供" in yes


def test_the_companys_templates_replace_the_shipped_ones(app, app_ctx, as_role, monkeypatch,
                                                          tmp_path):
    (tmp_path / "refused.txt").write_text("{{ request.requester }} 様\n弊社規程により応じかねます。\n",
                                          encoding="utf-8")
    (tmp_path / "disclosure-granted.txt").write_text("開示いたします（{{ request.reference }}）。\n",
                                                     encoding="utf-8")
    monkeypatch.setitem(app.config, "LETTER_TEMPLATES", str(tmp_path))
    refused = f.make_request(decision="refused", ground="法第33条第2項第1号", **VERIFIED)
    disclosed = f.make_request(reference="REQ-0042", decision="granted", **VERIFIED)
    corrected = f.make_request(kind="correction", decision="granted", **VERIFIED)
    db.session.commit()
    assert letters.write(refused).text.endswith("弊社規程により応じかねます。\n")
    own = letters.write(disclosed)
    assert own.text == "開示いたします（REQ-0042）。\n" and own.own
    assert letters.write(corrected).template == "granted.txt", "the shipped one where none is given"
    viewer = as_role("viewer")
    page = viewer.get(f"/requests/{disclosed.id}/letter").get_data(as_text=True)
    assert "開示いたします（REQ-0042）。" in page
    assert "company's template disclosure-granted.txt" in html.unescape(page)
    text = viewer.get(f"/requests/{disclosed.id}/letter.txt")
    assert text.get_data(as_text=True) == own.text
    assert text.headers["Content-Disposition"] == 'attachment; filename="REQ-0042-letter.txt"'


@pytest.mark.parametrize(("template", "message"), [
    ("{{ request.requestor }}", "granted.txt: 'dict object' has no attribute 'requestor'"),
    ("行1\n{% if request.fee %}\n", "granted.txt, line 2"),
    ("{{ request.__class__.__mro__ }}", "granted.txt: access to attribute '__class__'"),
])
def test_a_faulty_template_is_named_on_the_page(app, app_ctx, as_role, monkeypatch, tmp_path,
                                                template, message):
    (tmp_path / "granted.txt").write_text(template, encoding="utf-8")
    monkeypatch.setitem(app.config, "LETTER_TEMPLATES", str(tmp_path))
    request = f.make_request(decision="granted", **VERIFIED)
    db.session.commit()
    page = as_role("viewer").get(f"/requests/{request.id}/letter")
    assert page.status_code == 200
    assert "The letter template cannot be used" in page.get_data(as_text=True)
    with pytest.raises(letters.TemplateError, match=message.replace("(", r"\(").replace(")", r"\)")):
        letters.write(request)


def test_the_folder_must_exist(monkeypatch, tmp_path):
    monkeypatch.setenv("REGISTRY_LETTER_TEMPLATES", str(tmp_path / "none"))
    with pytest.raises(ValueError, match="REGISTRY_LETTER_TEMPLATES must name a folder"):
        from_environment(tmp_path)
    monkeypatch.setenv("REGISTRY_LETTER_TEMPLATES", str(tmp_path))
    assert from_environment(tmp_path)["LETTER_TEMPLATES"] == str(tmp_path)
