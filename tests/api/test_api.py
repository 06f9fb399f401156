"""The JSON API in the application: tokens and their scopes, the user's role as the bound, the
same rules and audit log as the forms, ETags and If-Match, lists with the page's filters and
cursors, problem details, rate limits, and the OpenAPI document made from the descriptions."""

from __future__ import annotations

import contextvars
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from registry import config
from registry.api import tokens
from registry.api.models import ApiToken, Scope
from registry.api.openapi import document, kinds
from registry.core import clock
from registry.core.entity import ENTITIES
from registry.core.models import AuditEntry, Role, User
from registry.extensions import db, limiter
from registry.people.models import AccessGrant, Employee
from tests.factories import make_employee, make_entrustment, make_grant


class Api:
    """A program using the API with one token: each request in a context of its own."""

    def __init__(self, app, secret: str | None):
        self.http = app.test_client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def __call__(self, method: str, url: str, headers: dict | None = None, **kwargs):
        return contextvars.Context().run(self.http.open, url, method=method,
                                         headers={**self.headers, **(headers or {})}, **kwargs)


@pytest.fixture
def token_for(app, users):
    """A function making a token for one of the users (one per role) and an Api using it."""

    def make(role: str = "editor", scope: Scope = Scope.WRITE, days: int | None = 30) -> Api:
        user = db.session.scalar(sa.select(User).where(User.username == users[role]))
        _token, secret = tokens.create(user, f"test {role} {scope.value}", scope, days)
        db.session.commit()
        return Api(app, secret)

    return make


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"] and body["instance"]
    return body


def test_no_token_an_unknown_one_an_expired_one_or_a_revoked_one_is_401(app, app_ctx, token_for):
    assert _problem(Api(app, None)("GET", "/api/v1/employees/"), 401)["detail"].startswith("Send a")
    unknown = Api(app, "reg_" + "x" * 43)("GET", "/api/v1/employees/")
    _problem(unknown, 401)
    assert 'error="invalid_token"' in unknown.headers["WWW-Authenticate"]
    api = token_for()
    assert api("GET", "/api/v1/employees/").status_code == 200
    token = db.session.scalar(sa.select(ApiToken).order_by(ApiToken.id.desc()))
    token.expires_on = clock.today() - timedelta(days=1)
    db.session.commit()
    _problem(api("GET", "/api/v1/employees/"), 401)
    token.expires_on = None
    tokens.revoke(token)
    db.session.commit()
    _problem(api("GET", "/api/v1/employees/"), 401)


def test_a_session_cookie_does_not_reach_the_api(app, as_role):
    browser = as_role("admin")
    answer = browser.get("/api/v1/employees/")
    assert answer.status_code == 401
    assert browser.post("/api/v1/employees/", {"number": "E1"}, csrf=False).status_code == 401


def test_a_read_token_reads_and_changes_nothing(app, app_ctx, token_for):
    employee = make_employee()
    db.session.commit()
    api = token_for(scope=Scope.READ)
    assert api("GET", f"/api/v1/employees/{employee.id}").get_json()["name"] == employee.name
    refused = api("PATCH", f"/api/v1/employees/{employee.id}", json={"name": "Changed"})
    assert "read" in _problem(refused, 403)["detail"]
    _problem(api("DELETE", f"/api/v1/employees/{employee.id}"), 403)
    db.session.expire_all()
    assert db.session.get(Employee, employee.id).name != "Changed"


def test_the_users_role_bounds_the_token(app, app_ctx, token_for, users):
    with pytest.raises(tokens.TokenError):
        viewer = db.session.scalar(sa.select(User).where(User.username == users["viewer"]))
        tokens.create(viewer, "writer", Scope.WRITE, None)
    api = token_for("editor")
    refused = api("POST", "/api/v1/questions/", json={"code": "Q-API", "text_en": "x"})
    assert "role" in _problem(refused, 403)["detail"]
    employee = make_employee()
    editor = db.session.scalar(sa.select(User).where(User.username == users["editor"]))
    editor.role = Role.VIEWER
    db.session.commit()
    _problem(api("PATCH", f"/api/v1/employees/{employee.id}", json={"name": "Changed"}), 403)


def test_a_record_is_created_read_changed_and_deleted_with_the_audit_log_naming_the_api(
        app, app_ctx, token_for, users):
    api = token_for()
    made = api("POST", "/api/v1/employees/", json={"number": "E9001", "name": "API 太郎",
                                                     "department": "総務部"})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert made.headers["Location"] == f"/api/v1/employees/{body['id']}"
    assert made.headers["ETag"] == '"1"' and body["revision"] == 1
    assert body["status"] == "active"  # the field's default, as the form's
    read = api("GET", made.headers["Location"])
    assert read.get_json() == body
    assert api("GET", made.headers["Location"], headers={"If-None-Match": '"1"'}).status_code == 304
    changed = api("PATCH", made.headers["Location"], headers={"If-Match": '"1"'},
                  json={**body, "department": "人事部"})  # the record sent back, read-only fields too
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["department"] == "人事部" and changed.headers["ETag"] == '"2"'
    assert api("DELETE", made.headers["Location"], headers={"If-Match": '"2"'}).status_code == 204
    assert db.session.get(Employee, body["id"]) is None
    entries = db.session.execute(sa.select(AuditEntry.actor, AuditEntry.action, AuditEntry.changes)
                                 .where(AuditEntry.entity == "employees",
                                        AuditEntry.record_id == body["id"])
                                 .order_by(AuditEntry.id)).all()
    assert [(actor, action.value) for actor, action, _ in entries] == [
        (f"api:{users['editor']}", "create"), (f"api:{users['editor']}", "update"),
        (f"api:{users['editor']}", "delete")]
    assert entries[1].changes == {"department": ["総務部", "人事部"]}


def test_a_stale_if_match_answers_412_and_changes_nothing(app, app_ctx, token_for):
    employee = make_employee(department="A")
    db.session.commit()
    api = token_for()
    url = f"/api/v1/employees/{employee.id}"
    etag = api("GET", url).headers["ETag"]
    assert api("PATCH", url, headers={"If-Match": etag}, json={"department": "B"}).status_code == 200
    stale = api("PATCH", url, headers={"If-Match": etag}, json={"department": "C"})
    assert _problem(stale, 412) and stale.headers["ETag"] == '"2"'
    _problem(api("DELETE", url, headers={"If-Match": etag}), 412)
    db.session.expire_all()
    assert db.session.get(Employee, employee.id).department == "B"


def test_the_rules_refuse_what_the_form_refuses_with_the_same_message(app, app_ctx, token_for,
                                                                      as_role):
    start = date(2025, 4, 1)
    entrustment = make_entrustment(start_on=start)
    db.session.commit()
    api = token_for()
    refused = api("PATCH", f"/api/v1/entrustments/{entrustment.id}",
                  json={"end_on": (start - timedelta(days=1)).isoformat()})
    problem = _problem(refused, 422)
    assert problem["type"].endswith("/api/docs#problem-invalid")
    [error] = problem["errors"]
    assert error["field"] == "end_on" and error["pointer"] == "/end_on"
    form = as_role("editor")
    page = f"/entrustments/{entrustment.id}/edit"
    values = {"reference": entrustment.reference, "consignee": entrustment.consignee_id,
              "purpose": entrustment.purpose_id, "work": entrustment.work,
              "start_on": start.isoformat(), "end_on": (start - timedelta(days=1)).isoformat()}
    shown = form.post(page, values, form_url=page).get_data(as_text=True)
    assert error["message"] in shown
    db.session.expire_all()
    assert db.session.get(type(entrustment), entrustment.id).end_on is None


def test_values_that_cannot_be_read_are_named_field_by_field(app, app_ctx, token_for):
    api = token_for()
    refused = api("POST", "/api/v1/entrustments/",
                  json={"start_on": "2026-02-30", "categories": [1, [2]], "consignee": 10**9,
                        "nonsense": 1})
    fields = {error["field"]: error["message"] for error in _problem(refused, 422)["errors"]}
    assert set(fields) == {"start_on", "categories", "consignee", "nonsense"}
    assert "YYYY-MM-DD" in fields["start_on"] and "no" in fields["consignee"].lower()
    _problem(api("POST", "/api/v1/entrustments/", data="x"), 415)
    _problem(api("POST", "/api/v1/entrustments/", json=[1]), 400)
    _problem(api("GET", "/api/v1/nothing/"), 404)
    _problem(api("GET", "/api/v1/employees/999999"), 404)


def test_a_delete_other_records_refer_to_answers_409(app, app_ctx, token_for):
    grant = make_grant()
    db.session.commit()
    api = token_for()
    refused = api("DELETE", f"/api/v1/employees/{grant.employee_id}")
    assert "Access grants" in _problem(refused, 409)["detail"]
    assert db.session.get(Employee, grant.employee_id) is not None


def test_a_list_pages_with_cursors_through_the_filters_of_its_page(app, app_ctx, token_for):
    employee = make_employee()
    made = [make_grant(employee=employee, system=f"System {n:02}") for n in range(7)]
    made[3].revoked_on, made[3].revoke_reason = date(2026, 1, 5), "異動"
    db.session.commit()
    api = token_for()
    url = f"/api/v1/grants/?employee={employee.id}&state=active&sort=system&limit=2"
    seen, pages = [], 0
    while url:
        page = api("GET", url)
        assert page.status_code == 200, page.get_json()
        body = page.get_json()
        assert body["count"] == 6 and not body["count_capped"]
        seen += [item["system"] for item in body["items"]]
        url, pages = body["next"], pages + 1
    assert seen == [grant.system for grant in made if grant.revoked_on is None]
    assert pages == 3
    _problem(api("GET", "/api/v1/grants/?state=nonsense"), 400)
    _problem(api("GET", "/api/v1/grants/?colour=red"), 400)
    _problem(api("GET", "/api/v1/grants/?limit=501"), 400)
    _problem(api("GET", "/api/v1/grants/?after=%00"), 400)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessGrant)) >= 7


def test_the_rate_limit_counts_each_token_and_answers_429(app, app_ctx, token_for):
    first, second = token_for("editor"), token_for("admin")
    app.config["API_RATE_LIMIT"] = "2 per minute"
    try:
        assert [first("GET", "/api/v1/").status_code for _ in range(2)] == [200, 200]
        refused = first("GET", "/api/v1/")
        _problem(refused, 429)
        assert int(refused.headers["Retry-After"]) > 0
        assert second("GET", "/api/v1/").status_code == 200
    finally:
        app.config["API_RATE_LIMIT"] = "600 per minute"
        limiter.reset()


def test_the_document_is_valid_openapi_made_from_the_descriptions(app, app_ctx):
    spec = document()
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    assert set(kinds()) == {entity.name.replace("_", "-") for entity in ENTITIES.values()}
    for entity in ENTITIES.values():
        schema = spec["components"]["schemas"][entity.model.__name__]
        described = [f.name for f in entity.description.fields if f.spec.form]
        assert list(schema["properties"]) == ["id", "revision", "label", *described,
                                              "created_at", "updated_at"]
    level = spec["components"]["schemas"]["AccessGrant"]["properties"]["level"]
    assert level["enum"] == [member.value for member in AccessGrant.level.type.enum_class]
    parameters = {p["name"] for p in spec["paths"]["/api/v1/grants/"]["get"]["parameters"]}
    assert {"state", "level", "employee", "q", "sort", "after", "limit"} <= parameters


def test_the_docs_page_is_for_people_logged_in(client, as_role):
    assert client.get("/api/docs").status_code == 302
    page = as_role("viewer").get("/api/docs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "/api/v1/grants/" in text and 'id="problem-invalid"' in text
    assert not re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//', text)  # no CDN
    assert as_role("viewer").get("/api/openapi.json").get_json()["openapi"] == "3.1.0"


def test_the_tokens_page_shows_a_new_token_once_and_revokes_it(app, as_role, users):
    editor = as_role("editor")
    made = editor.post("/tokens/", {"name": "HR sync", "scope": "read", "days": "30"})
    text = made.get_data(as_text=True)
    assert made.status_code == 200, text
    secret = text.split('id="new-token">')[1].split("<")[0]
    assert secret.startswith("reg_")
    again = editor.get("/tokens/").get_data(as_text=True)
    assert secret not in again and secret[:12] in again and "HR sync" in again
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "HR sync"))
        assert token.digest == tokens.digest(secret) and token.scope is Scope.READ
        token_id = token.id
    assert Api(app, secret)("GET", "/api/v1/").status_code == 200
    assert as_role("viewer").post(f"/tokens/{token_id}/revoke", {}, form_url="/tokens/") \
        .status_code == 404  # another user's token
    assert "HR sync" in as_role("admin").get("/tokens/").get_data(as_text=True)
    assert editor.post(f"/tokens/{token_id}/revoke", {}, form_url="/tokens/").status_code == 302
    assert Api(app, secret)("GET", "/api/v1/").status_code == 401
    refused = editor.post("/tokens/", {"name": "", "scope": "read", "days": "30"})
    assert refused.status_code == 422


def test_the_rate_limit_is_a_setting_checked_at_start(monkeypatch, tmp_path):
    assert config.from_environment(tmp_path)["API_RATE_LIMIT"] == "600 per minute"
    monkeypatch.setenv("REGISTRY_API_RATE_LIMIT", "10/second; 1000/hour")
    assert config.from_environment(tmp_path)["API_RATE_LIMIT"] == "10/second; 1000/hour"
    for wrong in ("lots", "10 per fortnight"):
        monkeypatch.setenv("REGISTRY_API_RATE_LIMIT", wrong)
        with pytest.raises(ValueError, match="REGISTRY_API_RATE_LIMIT"):
            config.from_environment(tmp_path)
