"""Translations are remembered per language (registry.core.i18n): every user, page and workbook
still gets its own language, whatever was shown before."""

import io

import openpyxl

from registry.extensions import db
from tests import factories as f


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def workbook_values(client, url: str) -> set:
    response = client.get(url)
    assert response.status_code == 200
    data = response.data
    response.close()
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {value for sheet in book for row in sheet.iter_rows(values_only=True) for value in row}


def test_each_user_sees_their_language_in_header_labels_and_cells(app_ctx, as_role):
    f.make_consignee(name="Global Cloud", risk_tier="high")
    db.session.commit()
    english, japanese = as_role("viewer"), as_role("editor")
    assert japanese.post("/language", {"language": "ja"}, form_url="/").status_code == 302
    for _ in range(2):  # the second round is served from what the first remembered
        shown = page(japanese, "/consignees/")
        assert "ログアウト" in shown and "リスク区分" in shown and "<td>高</td>" in shown
        assert 'lang="ja"' in shown and "Log out" not in shown
        shown = page(english, "/consignees/")
        assert "Log out" in shown and "Risk tier" in shown and "<td>High</td>" in shown
        assert "ログアウト" not in shown and "<td>高</td>" not in shown


def test_header_shows_each_users_links_and_a_working_csrf_token(app_ctx, as_role):
    editor = as_role("editor")
    assert "/users/" not in page(editor, "/consignees/")
    admin = as_role("admin")
    shown = page(admin, "/consignees/")
    assert 'href="/users/"' in shown
    token = shown.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert len(token) > 20 and "\x00" not in shown
    assert admin.post("/logout", {"csrf_token": token}, csrf=False).status_code == 302
    assert admin.get("/consignees/").status_code == 302  # logged out: the token was accepted


def test_workbooks_use_the_language_asked_for_not_the_pages(app_ctx, as_role):
    f.make_consignee(name="Global Cloud", risk_tier="high")
    db.session.commit()
    viewer = as_role("viewer")
    page(viewer, "/consignees/")  # English labels remembered first
    assert "高" in workbook_values(viewer, "/exchange/export?language=ja")
    assert "High" in workbook_values(viewer, "/exchange/export?language=en")
    assert viewer.post("/language", {"language": "ja"}, form_url="/").status_code == 302
    assert "<td>高</td>" in page(viewer, "/consignees/")
    values = workbook_values(viewer, "/exchange/export?language=en")
    assert "High" in values and "高" not in values
