"""Every message has its Japanese translation, a message a Japanese page asks for that the
catalogue lacks is logged (REGISTRY_CATALOGUE_MISSES=log), and tests.catalogue.misses finds the
words of a page that are not in its reader's language."""

import logging

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext

from registry.config import from_environment
from tests.catalogue import TRANSLATIONS, misses


def test_every_message_of_the_template_has_a_japanese_translation():
    with (TRANSLATIONS / "messages.pot").open("rb") as file:
        template = read_po(file)
    with (TRANSLATIONS / "ja" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        japanese = read_po(file, locale="ja")
    untranslated = []
    for message in template:
        if not message.id:
            continue
        found = japanese.get(message.id)
        strings = found.string if found is not None else ""
        if found is None or found.fuzzy or not all(strings if isinstance(strings, tuple)
                                                   else (strings,)):
            untranslated.append(message.id)
    assert not untranslated, f"{len(untranslated)} messages without Japanese: {untranslated[:20]}"


def test_a_message_the_catalogue_lacks_is_logged_on_a_japanese_page(app, caplog):
    app.config["CATALOGUE_MISSES"] = "log"
    try:
        with app.test_request_context(), caplog.at_level(logging.WARNING, logger=app.logger.name):
            with force_locale("ja"):
                assert gettext("Audit log") == "監査ログ"
                assert gettext("A message nobody translated") == "A message nobody translated"
            with force_locale("en"):
                gettext("Another message nobody translated")
    finally:
        app.config["CATALOGUE_MISSES"] = ""
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert logged == ["Catalogue miss (ja): 'A message nobody translated'"]


def test_no_message_is_logged_unless_asked(app, caplog):
    with app.test_request_context(), caplog.at_level(logging.WARNING), force_locale("ja"):
        gettext("A message nobody translated")
    assert not caplog.records


def test_the_setting_takes_log_or_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("REGISTRY_CATALOGUE_MISSES", "log")
    assert from_environment(tmp_path)["CATALOGUE_MISSES"] == "log"
    monkeypatch.setenv("REGISTRY_CATALOGUE_MISSES", "yes")
    with pytest.raises(ValueError, match="REGISTRY_CATALOGUE_MISSES"):
        from_environment(tmp_path)


@pytest.mark.parametrize(("text", "found"), [
    ("1–12 of 12", ["1–12 of 12"]),
    ("purposes #2: 採用選考", ["purposes #2"]),
    ("状態\nlow\n→\nhigh", ["low", "high"]),
    ("True", ["True"]),
    ("POL-01: 個人情報保護の基本方針 — no", ["no"]),
    ("Consignee: 株式会社さくらホスティング", ["Consignee"]),
    ("last_reviewed_on", ["last_reviewed_on"]),
])
def test_english_and_internal_words_on_a_japanese_page_are_misses(text, found):
    assert misses(text, "ja") == found


@pytest.mark.parametrize("text", [
    "利用目的 #2: 採用選考", "PDF\nCSV\nExcel", "dpo@example.com", "Northwind Cloud Services, Inc.",
    "ISMS（ISO/IEC 27001）", "2026-04-01 09:30", "1–12件目（全12件）", "E0001", "CHK-0001",
])
def test_names_codes_and_japanese_are_not_misses_on_a_japanese_page(text):
    assert misses(text, "ja") == []


def test_the_systems_japanese_on_an_english_page_is_a_miss():
    assert misses("Status\n状態", "en") == ["状態"]
    question = "個人情報保護に関する基本方針を定め、公表していますか。"
    assert misses(f"POL-01: {question} — No", "en") == [question]
    assert misses("株式会社さくらホスティング\n本サービスの提供のため", "en") == []
