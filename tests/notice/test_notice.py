"""The public notice written from the example registry, and its drift from the example policy:
`registry notice` run as a scheduler runs it (a real process), and the Notice page."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry import demo
from registry.consignees.models import Entrustment
from registry.extensions import db
from registry.notice import content, drift
from tests import factories as f
from tests.served import registry, run

#: the example policy (the seed's), shipped beside the example inventory
POLICY = Path(__file__).resolve().parents[2] / "imports" / "example-policy.txt"
EXAMPLE_POLICY = POLICY.read_text(encoding="utf-8")


def _example(env: dict, tmp_path: Path) -> Path:
    registry(env, "init")
    registry(env, "demo")
    return tmp_path / "cli.db"


def test_the_notice_names_every_purpose_in_force_and_the_countries_abroad(fresh_env, tmp_path):
    _example(fresh_env, tmp_path)
    env = {**fresh_env, "REGISTRY_COMPANY_NAME": "MAG.NET CO,. LTD",
           "REGISTRY_PRIVACY_CONTACT": "personal-info@example.jp"}
    written = run(env, "notice", "--out", str(tmp_path / "notice.md"))
    assert written.returncode == 0, written.stderr
    assert "REGISTRY_COMPANY_ADDRESS is not set" in written.stderr
    text = (tmp_path / "notice.md").read_text(encoding="utf-8")
    assert text.startswith("# 保有個人データに関する事項") and text.endswith("作成）\n")
    assert "1. 本サービスの提供のため" in text and "11. Cookie等を用いたアクセス解析のため" in text
    assert "アイルランド、アメリカ合衆国" in text, "外的環境の把握: the countries, in Japanese"
    assert "保有個人データの開示・訂正等・利用停止等の請求への対応のため" not in text, "P12 is a draft"
    assert "personal\\-info" not in text and "MAG.NET CO,. LTD" in text
    english = run(env, "notice", "--out", str(tmp_path / "notice.html"), "--language", "en")
    assert english.returncode == 0
    page = (tmp_path / "notice.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Ireland, United States" in page


def test_compare_reports_what_drifted_both_ways(fresh_env, tmp_path):
    database = _example(fresh_env, tmp_path)
    compared = run(fresh_env, "notice", "--compare", str(POLICY), "--language", "en")
    assert compared.returncode == 1, "the policy names no country where consignees handle data"
    assert "Ireland (IE)" in compared.stdout and "United States (US)" in compared.stdout
    assert "In the policy, not in the registry" not in compared.stdout
    naming = tmp_path / "policy.txt"
    naming.write_text(EXAMPLE_POLICY + "\nData is handled in Ireland and the United States.\n",
                      encoding="utf-8")
    clean = run(fresh_env, "notice", "--compare", str(naming))
    assert clean.returncode == 0 and "0." in clean.stdout, clean.stdout
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO purposes (code, title, description, legal_basis, status, revision, "
            "created_at, updated_at) VALUES ('P13', '新規事業の検討のため', '', '', 'active', 1, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
        connection.execute("UPDATE purposes SET status = 'retired' WHERE code = 'P04'")
    added = run(fresh_env, "notice", "--compare", str(naming), "--language", "ja")
    assert added.returncode == 1
    assert ("P13 新規事業の検討のため — 利用中の利用目的だが、根拠にポリシーの条項が記載されていない"
            in added.stdout)
    assert "2(4) To contact users as necessary" in added.stdout, "P04 retired: its item uncited"
    shift_jis = tmp_path / "policy-sjis.txt"
    shift_jis.write_bytes("第2条（利用目的）\n・サービスの提供のため\n".encode("cp932"))
    assert run(fresh_env, "notice", "--compare", str(shift_jis)).returncode == 1
    binary = tmp_path / "policy.bin"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 10)
    refused = run(fresh_env, "notice", "--compare", str(binary))
    assert refused.returncode == 2 and "neither UTF-8 nor Shift_JIS" in refused.stderr
    assert run(fresh_env, "notice").returncode == 2


def test_policies_are_read_in_either_language(app_ctx):
    policy = drift.read_policy("第1条（定義）\n本文\n第2条（利用目的）\n（1）サービスの提供\n（2）ご連絡\n"
                               "第3条（第三者提供）\n当社は米国およびシンガポールの委託先を利用します。\n")
    assert policy.purposes_article == 2 and len(policy.articles[2][1]) == 2
    assert drift.named_countries("米国およびシンガポール。タイミング、タイプ") == {"US", "SG"}
    assert drift.named_countries("the United Kingdom, not Chad's") == {"GB", "TD"}


def test_the_notice_page_compares_an_uploaded_policy(app_ctx, as_role):
    demo.load()
    f.make_purpose(code="P99", title="新規事業の検討のため", legal_basis="ポリシー第2条(12)")
    db.session.commit()
    viewer = as_role("viewer")
    page = viewer.get("/notice").get_data(as_text=True)
    assert "新規事業の検討のため" in page and "Ireland" in page
    assert "Not set yet: REGISTRY_COMPANY_NAME, REGISTRY_COMPANY_ADDRESS" in page
    compared = viewer.post("/notice", {"policy": (io.BytesIO(POLICY.read_bytes()), "policy.txt")},
                           form_url="/notice", content_type="multipart/form-data")
    text = compared.get_data(as_text=True)
    assert compared.status_code == 200 and "2(12), which the policy does not have" in text
    download = viewer.get("/notice.md?language=en")
    assert download.status_code == 200 and download.headers["Content-Disposition"].endswith(
        'notice-en.md"')
    assert "新規事業の検討のため" in download.get_data(as_text=True)
    facts = content.build()
    assert [p.code for p in facts.purposes][-1] == "P99" and facts.countries == ["IE", "US"]
    today = facts.as_of
    working = {e.consignee_id for e in db.session.scalars(sa.select(Entrustment))
               if (e.start_on or today) <= today and (e.end_on is None or e.end_on >= today)}
    assert facts.consignees == len(working) > 2, "counted one by one, as a person would"


def test_the_catalogue_compares_the_registry_with_the_published_policy(app, app_ctx, monkeypatch,
                                                                        tmp_path, caplog):
    """REGISTRY_PUBLISHED_POLICY: on the example registry the policy states every purpose in force
    and names none of the countries abroad; a new purpose with no basis offends; the results
    follow the file when it changes; a file gone is a warning, not an error page."""
    from registry.compliance import engine
    from registry.compliance.catalogue import CATALOGUE

    demo.load()
    db.session.commit()
    policy_file = tmp_path / "policy.txt"
    policy_file.write_text(EXAMPLE_POLICY, encoding="utf-8")
    monkeypatch.setitem(app.config, "PUBLISHED_POLICY", str(policy_file))
    at = engine.context()

    def found(code):
        return sorted(r.label for r in engine.results(CATALOGUE[code], at)[0])
    assert found("policy-drift") == []
    countries = found("policy-country-unnamed")
    assert countries and all(label.endswith(("(IE)", "(US)")) for label in countries)
    reasons = {r.reason for r in engine.results(CATALOGUE["policy-country-unnamed"], at)[0]}
    assert reasons == {"The policy does not name Ireland (IE).",
                       "The policy does not name United States (US)."}
    f.make_purpose(code="P13", title="新規事業の検討のため")
    db.session.commit()
    results = engine.results(CATALOGUE["policy-drift"], at)[0]
    assert [(r.label, r.reason) for r in results] == [
        ("P13 新規事業の検討のため", "Its basis cites no article of the policy.")]
    tallied = {t.check.code: t.open for t in engine.tallies(at)}
    assert tallied["policy-drift"] == 1
    policy_file.write_text(EXAMPLE_POLICY + "\nData is handled in Ireland and the United States.\n",
                           encoding="utf-8")
    tallied = {t.check.code: t.open for t in engine.tallies(at)}
    assert tallied["policy-country-unnamed"] == 0, "the tallies follow the policy's file"
    policy_file.unlink()
    assert found("policy-drift") == [] and "The policy checks found nothing" in caplog.text


def test_the_published_policy_must_be_a_file(monkeypatch, tmp_path):
    from registry.config import from_environment

    monkeypatch.setenv("REGISTRY_PUBLISHED_POLICY", str(tmp_path))
    with pytest.raises(ValueError, match="REGISTRY_PUBLISHED_POLICY must name a file"):
        from_environment(tmp_path)
    monkeypatch.setenv("REGISTRY_PUBLISHED_POLICY", str(POLICY))
    assert from_environment(tmp_path)["PUBLISHED_POLICY"] == str(POLICY)
