"""A returned questionnaire's check, findings and audit entries read in the reader's language:
the finding keeps the question's code and the answer, and its page words them (issue 16)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from registry.core.audit import act_as
from registry.extensions import db
from registry.questionnaires import returned
from registry.supervision.models import Finding, SupervisionCheck
from tests.catalogue import misses, visible_text
from tests.questionnaires.test_return import fill, issued  # noqa: F401  (the fixture)


def test_a_returns_pages_read_in_each_language(issued, tmp_path, as_role):  # noqa: F811
    questionnaire, path = issued
    result = returned.read(fill(path, tmp_path / "filled.xlsx"), questionnaire.consignee_id)
    act_as("cli:tester")
    returned.record(result, set(), on=date(2026, 11, 25))
    db.session.commit()
    check = db.session.scalar(sa.select(SupervisionCheck))
    finding = db.session.scalar(sa.select(Finding).where(Finding.reference.like("%TEC-05")))
    assert finding.description == "TEC-05 — no (対応予定)", "stored in no language"
    assert check.notes == ""
    viewer = as_role("viewer")
    pages = (f"/checks/{check.id}", f"/findings/{finding.id}", "/findings/", "/audit/?actor=cli:tester",
             f"/findings/{finding.id}/history")
    for language, words in (("en", ("TEC-05: Is personal data encrypted at rest and in transit?"
                                     " — No (対応予定)", "answers assessed: ")),
                            ("ja", ("TEC-05: 保存時と通信時に個人データを暗号化していますか。"
                                    " — いいえ (対応予定)", "評価した回答"))):
        assert viewer.post("/language", {"language": language}, form_url="/").status_code == 302
        for url in pages:
            response = viewer.get(url)
            assert response.status_code == 200, url
            text = visible_text(response.get_data(as_text=True))
            assert misses(text, language) == [], (url, language)
        check_page = visible_text(viewer.get(f"/checks/{check.id}").get_data(as_text=True))
        assert all(word in check_page for word in words), (language, check_page)


def test_a_rewritten_finding_reads_as_written(issued, tmp_path):  # noqa: F811
    questionnaire, path = issued
    result = returned.read(fill(path, tmp_path / "filled.xlsx"), questionnaire.consignee_id)
    returned.record(result, set(), on=date(2026, 11, 25))
    finding = db.session.scalar(sa.select(Finding).where(Finding.reference.like("%PER-02")))
    finding.description = "教育記録が提出されていない — 再確認する"
    assert finding.text == "教育記録が提出されていない — 再確認する"
    finding.description = "PER-02: 従業者に個人情報保護の教育を年1回以上実施していますか。 — no"
    assert finding.text.startswith("PER-02: Do your workers receive training") and \
        finding.text.endswith(" — No"), "one stored in Japanese before reads in the reader's"
