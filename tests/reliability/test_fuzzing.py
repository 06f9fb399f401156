"""Every form, upload and list, fed hostile values: a clear field error or a faithful save, never a
server error, and nothing stored that the form refused."""

from __future__ import annotations

import io
import unicodedata
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

import registry.consignees.views  # noqa: F401 - the views register their entities
import registry.inventory.views  # noqa: F401
import registry.people.views  # noqa: F401
import registry.questionnaires.views  # noqa: F401
import registry.supervision.views  # noqa: F401
from registry.core.entity import ENTITIES
from registry.core.models import AuditEntry
from registry.extensions import db
from tests import factories as f
from tests.conftest import Client

pytestmark = [pytest.mark.usefixtures("app_ctx"), pytest.mark.slow]

HOSTILE = [
    "長" * 40_000,
    "a\x00b",
    "\x1b[31mred\x1b[0m\x7f",
    "\u202egnp.exe",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "-1",
    "99999999999999999999999999999",
    "NaN",
    "2026-02-30",
    "10000-01-01",
    "１９９０-０１-０１",
    "   ",
]


def poster(client):
    """Post to the form at url with its CSRF token (and revision), without a GET per post."""
    cache: dict[str, dict] = {}

    def post(url: str, data: dict):
        if url not in cache:
            cache[url] = client.hidden(url)
        return client.http.post(url, data={**data, **cache[url]})
    return post


def stored() -> tuple[int, ...]:
    counts = [db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in ENTITIES]
    return (*counts, db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)))


def records() -> dict:
    """One record of every kind, for edit forms and references."""
    grant = f.make_grant()
    finding = f.make_finding()
    made = {
        "purposes": f.make_purpose(), "categories": grant.category,
        "purpose_categories": f.make_link(), "consignees": finding.check.consignee,
        "certifications": f.make_certification(), "entrustments": f.make_entrustment(),
        "contracts": f.make_contract(), "checks": finding.check, "findings": finding,
        "employees": grant.employee, "grants": grant, "questions": f.make_question(),
    }
    db.session.commit()
    return made


def field_names(entity, app) -> list[str]:
    with app.test_request_context():
        return [field.name for field in entity.form(meta={"csrf": False})
                if field.name != "csrf_token"]


class FormValues(HTMLParser):
    """What the form in a page's <main> would send back as it stands: its inputs, the selected
    options and the text areas (the header's language and logout forms are left out)."""

    def __init__(self, page: str):
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._main = self._select = self._textarea = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "main":
            self._main = True
        elif not self._main or tag not in ("input", "select", "option", "textarea"):
            return
        elif tag == "input" and name and attrs.get("type") not in ("submit", "file") and (
                attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs):
            self.values.append((name, attrs.get("value") or ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.append((self._select, attrs.get("value") or ""))
        elif tag == "textarea":
            self._textarea = len(self.values)
            self.values.append((name, ""))

    def handle_data(self, data):
        if self._textarea is not None:
            name, text = self.values[self._textarea]
            self.values[self._textarea] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def saved_faithfully(client, entity, location: str, name: str, value: str) -> None:
    """The record a hostile value was saved into holds it as typed (trimmed, or NFKC-normalised
    where the field normalises), and its page shows it escaped."""
    record_id = int(location.rstrip("/").rsplit("/", 1)[1])
    db.session.expire_all()
    stored_value = getattr(db.session.get(entity.model, record_id), name, None)
    if isinstance(stored_value, str):
        typed = {value.strip(), unicodedata.normalize("NFKC", value).strip()}
        assert stored_value.casefold() in {text.casefold() for text in typed}, name  # codes: upper
    page = client.get(location)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)


@pytest.mark.parametrize("entity", sorted(ENTITIES.values(), key=lambda e: e.name),
                         ids=lambda e: e.name)
def test_entity_forms_refuse_hostile_values_cleanly(entity, app, as_role):
    """Each field in turn gets each hostile value, the rest of the form as a valid record has
    it: refused with nothing stored, or saved as typed and shown escaped."""
    made = records()
    admin = as_role("admin")
    base = f"/{entity.name.replace('_', '-')}"
    obj = next(record for name, record in made.items() if type(record) is entity.model)
    edit = f"{base}/{obj.id}/edit"
    saves = 0
    valid = FormValues(admin.get(edit).get_data(as_text=True)).values
    for url in (f"{base}/new", edit):
        for name in field_names(entity, app):
            for value in HOSTILE:
                sent = valid if url == edit else [(k, v) for k, v in valid if k != "revision"]
                data = MultiDict([(k, v) for k, v in sent if k != name] + [(name, value)])
                before = stored()
                response = admin.http.post(url, data=data)
                assert response.status_code < 500, (url, name, value[:40])
                if response.status_code == 302:
                    saves += 1
                    saved_faithfully(admin, entity, response.headers["Location"], name, value)
                    valid = FormValues(admin.get(edit).get_data(as_text=True)).values  # revision
                else:
                    db.session.expire_all()
                    assert stored() == before, f"{url} refused {name}={value[:40]!r} yet stored"
    assert saves, "no hostile value was ever accepted: the faithful-save branch never ran"


def test_invisible_controls_are_refused_beside_the_field(as_role):
    """C1 controls and bidirectional overrides (a code that reads differently from what it is)
    are refused like NUL, with the field's message, and nothing is stored."""
    post = poster(as_role("editor"))
    for code in ("P\u202e01", "P\u206601", "P\x8501"):
        before = stored()
        response = post("/purposes/new", {"code": code, "title": "配送", "status": "active"})
        assert response.status_code == 200, code
        assert "Remove the invisible control characters" in response.get_data(as_text=True)
        db.session.expire_all()
        assert stored() == before, code


def test_user_login_language_and_waiver_forms(app, as_role):
    admin = as_role("admin")
    post = poster(admin)
    category = f.make_category(retention_period="")
    db.session.commit()
    for value in HOSTILE:
        for url, data in (
            ("/users/new", {"username": value, "role": "viewer", "password": value, "confirm": value}),
            ("/users/new", {"username": "new-user", "role": value, "password": "x" * 12}),
            ("/language", {"language": value}),
            (f"/compliance/category-without-retention/{category.id}/waive",
             {"reason": value, "expires_on": value}),
            ("/reports/snapshots", {"quarter": value}),
        ):
            before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
            response = post(url, data)
            assert response.status_code < 500, (url, value[:40])
            db.session.expire_all()
            after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
            if response.status_code != 302 or url == "/language":
                assert after == before, f"{url} refused {value[:40]!r} yet stored"
        visitor = Client(app.test_client())  # a user made above may log in with these values
        assert visitor.post("/login", {"username": value, "password": value}).status_code < 500


def test_lists_and_pages_take_hostile_query_arguments(as_role):
    records()
    viewer = as_role("viewer")
    pages = ["/purposes/", "/categories/", "/consignees/", "/entrustments/", "/contracts/",
             "/checks/", "/findings/", "/employees/", "/grants/", "/audit/", "/matrix",
             "/compliance/never-checked", "/reports/quarterly", "/exchange/"]
    arguments = ["q", "sort", "page", "status", "employee", "category", "consignee", "purpose",
                 "state", "quarter", "pp", "cp", "entity", "action", "since", "until", "user"]
    for page in pages:
        for argument in arguments:
            for value in HOSTILE[1:]:
                response = viewer.http.get(page, query_string={argument: value})
                assert response.status_code < 500, (page, argument, value[:40])
    for number in ("/purposes/99999999999999999999", "/purposes/-1", "/employees/2147483648"):
        assert viewer.get(number).status_code == 404


def test_uploads_refuse_what_is_not_a_workbook(as_role):
    editor = as_role("editor")
    consignee = f.make_consignee()
    db.session.commit()
    post = poster(editor)
    for url, form_url in (("/exchange/import", "/exchange/"),
                          (f"/consignees/{consignee.id}/questionnaire/import",
                           f"/consignees/{consignee.id}")):
        token = editor.hidden(form_url)["csrf_token"]
        for content, name in ((b"", "empty.xlsx"), (b"\x00" * 100, "a\x00b.xlsx"),
                              (b"<html>", "x" * 5000 + ".xlsx"), (b"PK\x03\x04junk", "../../etc.xlsx")):
            before = stored()
            response = editor.http.post(url, data={"csrf_token": token,
                                                   "workbook": (io.BytesIO(content), name)},
                                        content_type="multipart/form-data", follow_redirects=True)
            assert response.status_code < 500, (url, name[:40])
            db.session.expire_all()
            assert stored() == before
        assert post(url, {"workbook": "not a file"}).status_code < 500
