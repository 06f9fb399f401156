"""Two people editing the same record: the second save is refused with what changed, never a
silent overwrite (a revision counter checked by the form and by every UPDATE)."""

from __future__ import annotations

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from registry.core import operations
from registry.extensions import db
from registry.inventory.models import Purpose
from tests import factories as f

pytestmark = pytest.mark.usefixtures("app_ctx")


def form(purpose, title: str, revision: int) -> dict:
    return {"code": purpose.code, "title": title, "status": "active", "revision": str(revision)}


def test_the_second_save_is_refused_with_what_changed(as_role):
    purpose = f.make_purpose(title="会員管理")
    db.session.commit()
    alice, bob = as_role("editor"), as_role("admin")
    url = f"/purposes/{purpose.id}/edit"
    assert 'name="revision" value="1"' in alice.get(url).get_data(as_text=True)
    assert alice.post(url, form(purpose, "会員の管理", 1)).status_code == 302
    refused = bob.post(url, form(purpose, "会員情報の管理", 1))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else saved this record" in page and "editor1" in page
    assert "会員の管理" in page, "the other person's change is shown"
    assert 'value="会員情報の管理"' in page, "the refused input is kept in the form"
    assert 'name="revision" value="2"' in page
    db.session.expire_all()
    assert db.session.get(Purpose, purpose.id).title == "会員の管理"
    assert bob.post(url, form(purpose, "会員情報の管理", 2)).status_code == 302
    db.session.expire_all()
    stored = db.session.get(Purpose, purpose.id)
    assert (stored.title, stored.revision) == ("会員情報の管理", 3)


def test_a_form_without_its_revision_is_refused(as_role):
    purpose = f.make_purpose()
    db.session.commit()
    editor = as_role("editor")
    data = form(purpose, "改題", 0)
    del data["revision"]
    response = editor.post(f"/purposes/{purpose.id}/edit", data, form_url="/")
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Purpose, purpose.id).title != "改題"


def test_every_update_checks_the_revision_it_read():
    purpose = f.make_purpose()
    db.session.flush()
    db.session.execute(sa.update(Purpose.__table__).where(Purpose.id == purpose.id)
                       .values(title="他の人", revision=Purpose.__table__.c.revision + 1))
    with pytest.raises(StaleDataError):
        operations.update(purpose, {"title": "私"})
        db.session.flush()


def test_an_import_counts_as_a_save(as_role, tmp_path):
    from registry.exchange import pipeline
    from registry.exchange.apply import apply
    from tests.exchange.helpers import workbook

    purpose = f.make_purpose(title="旧")
    db.session.commit()
    editor = as_role("editor")
    url = f"/purposes/{purpose.id}/edit"
    opened = editor.hidden(url)
    book = workbook(tmp_path / "p.xlsx", {"Purposes": [["Code", "Purpose of use", "Status"],
                                                       [purpose.code, "取込", "active"]]})
    plan = pipeline.plan_file(book)
    apply(plan, book.name, book.read_bytes())
    db.session.commit()
    refused = editor.post(url, {**form(purpose, "画面", 1), **opened}, form_url="/")
    assert refused.status_code == 409 and "取込" in refused.get_data(as_text=True)


def test_changing_only_the_links_is_a_new_revision(tmp_path):
    from registry.consignees.models import Entrustment
    from registry.exchange import pipeline
    from registry.exchange.apply import apply
    from registry.exchange.write import export

    first, second = f.make_category(name="氏名"), f.make_category(name="住所")
    purpose = f.make_purpose()
    for category in (first, second):
        f.make_link(purpose=purpose, category=category)
    entrustment = f.make_entrustment(purpose=purpose, categories=[first])
    db.session.commit()
    operations.update(entrustment, {"categories": [first, second]})
    db.session.commit()
    assert entrustment.revision == 2, "a web save of the categories alone"
    book = tmp_path / "e.xlsx"
    export(book, "en", None)
    workbook = openpyxl.load_workbook(book)  # the import takes the link set back to one category
    sheet = workbook["Entrustments"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index("Data categories") + 1, "氏名")
    workbook.save(book)
    apply(pipeline.plan_file(book), book.name, book.read_bytes())
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Entrustment, entrustment.id).revision == 3, "an import of the links alone"


def test_a_save_that_loses_a_race_on_any_page_is_a_clear_409(as_role):
    purpose = f.make_purpose(title="競合")
    db.session.commit()
    admin = as_role("admin")
    opened = admin.hidden(f"/purposes/{purpose.id}/delete")

    def someone_else_saves(session, _context, _instances):
        session.execute(sa.update(Purpose.__table__).where(Purpose.id == purpose.id)
                        .values(revision=Purpose.__table__.c.revision + 1))

    sa.event.listen(db.session, "before_flush", someone_else_saves, once=True)
    response = admin.post(f"/purposes/{purpose.id}/delete", opened, csrf=False)
    assert response.status_code == 409
    assert "Someone else changed this record at the same moment" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Purpose, purpose.id) is not None, "nothing was deleted"
