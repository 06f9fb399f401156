"""The audit log reads in the reader's language: kinds of record, field names, choices and
yes / no as labels, never table names, keys or True / False (issue 16)."""

from __future__ import annotations

import re

from registry.core import operations
from registry.core.audit import act_as
from registry.extensions import db
from tests import factories as f
from tests.catalogue import misses, visible_text


def test_changes_read_in_each_language(app_ctx, as_role):
    act_as("cli:tester")
    certification = f.make_certification(scheme="soc2")
    contract = f.make_contract(consignee=certification.consignee)
    operations.update(contract, {"auto_renewal": True, "contract_type": "nda"})
    operations.update(certification.consignee, {"risk_tier": "high"})
    db.session.commit()
    admin = as_role("admin")
    pages = ("/audit/?actor=cli:tester", f"/contracts/{contract.id}/history",
             f"/consignees/{certification.consignee_id}/history")
    expected = {"en": ("Contract: CON-T", "Renews automatically", "No → Yes",
                       "Non-disclosure agreement", "Certification: ", " / SOC 2 / ", "Risk tier",
                       "High"),
                "ja": ("契約: CON-T", "自動更新", "いいえ → はい", "秘密保持契約", "認証: ",
                       "リスク区分", "高")}
    for language in ("en", "ja"):
        assert admin.post("/language", {"language": language}, form_url="/").status_code == 302
        shown = ""
        for url in pages:
            text = visible_text(admin.get(url).get_data(as_text=True))
            assert misses(text, language) == [], (url, language, misses(text, language))
            shown += " ".join(text.splitlines()) + "\n"
        missing = [word for word in expected[language] if word not in shown]
        assert not missing, (language, missing)


def test_the_record_type_filter_offers_kinds_by_their_names(app_ctx, as_role):
    admin = as_role("admin")
    admin.post("/language", {"language": "ja"}, form_url="/")
    page = admin.get("/audit/").get_data(as_text=True)
    assert re.search(r'<option value="purposes">利用目的 \(\d+\)</option>', page)
    assert re.search(r'<option value="users">ユーザー \(\d+\)</option>', page)
    assert 'value="secret_keys"' not in page and 'value="audit_entries"' not in page
    viewer = as_role("viewer")
    assert 'value="users"' not in viewer.get("/audit/").get_data(as_text=True)
