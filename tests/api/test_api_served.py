"""The API as a program uses it: a token made with `registry token create`, the registry served
by gunicorn (two workers) on the suite's kind of database, a real HTTP client (requests), and
every answer checked against the OpenAPI document the server gives, itself validated."""

from __future__ import annotations

import os

import pytest
import requests
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.served import registry, run, served

PASSWORD = "api-served-password-1"


def _check(spec: dict, name: str, record: dict) -> None:
    """The record against its schema in the document (the document's own references resolved)."""
    schema = {**spec["components"]["schemas"][name], "$defs": {}}
    Draft202012Validator(schema).validate(record)


@pytest.mark.served
def test_a_program_lists_creates_changes_and_deletes_over_http(scratch, tmp_path):
    env = os.environ | {"REGISTRY_DATABASE_URL": scratch("api"),
                        "REGISTRY_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("REGISTRY_SECRET_KEY", None)
    registry(env, "init")
    registry(env, "demo")
    registry(env, "create-user", "sync", "--role", "editor", "--password-stdin",
             stdin=f"{PASSWORD}\n")
    made = run(env, "token", "create", "nightly", "--user", "sync", "--scope", "write",
               "--days", "7")
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert secret.startswith("reg_") and "not shown again" in made.stderr
    reader = run(env, "token", "create", "reader", "--user", "sync", "--scope", "read").stdout.strip()
    assert run(env, "token", "create", "x", "--user", "nobody", "--scope", "read").returncode == 1
    with served(env, tmp_path / "server.log", workers=2) as base:
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {secret}"
        spec = api.get(f"{base}/api/openapi.json", timeout=30).json()
        validate(spec)
        assert requests.get(f"{base}/api/v1/grants/", timeout=30).status_code == 401

        page = api.get(f"{base}/api/v1/grants/", params={"level": "edit", "limit": 5}, timeout=30)
        assert page.status_code == 200 and int(page.headers["X-RateLimit-Remaining"]) > 0
        seen = []
        url = f"{base}/api/v1/grants/?level=edit&limit=5"
        while url:
            body = api.get(url, timeout=30).json()
            for item in body["items"]:
                _check(spec, "AccessGrant", item)
                assert item["level"] == "edit"
            seen += [item["id"] for item in body["items"]]
            url = body["next"] and base + body["next"]
        assert len(seen) == len(set(seen)) == body["count"] > 5

        created = api.post(f"{base}/api/v1/employees/", json={"number": "E9100", "name": "連携 花子"},
                           timeout=30)
        assert created.status_code == 201, created.text
        _check(spec, "Employee", created.json())
        location = base + created.headers["Location"]
        etag = created.headers["ETag"]
        changed = api.patch(location, json={"department": "情報システム部"},
                            headers={"If-Match": etag}, timeout=30)
        assert changed.status_code == 200 and changed.headers["ETag"] != etag
        stale = api.patch(location, json={"department": "総務部"}, headers={"If-Match": etag},
                          timeout=30)
        assert stale.status_code == 412
        assert stale.headers["Content-Type"] == "application/problem+json"
        assert api.get(location, timeout=30).json()["department"] == "情報システム部"

        refused = api.post(f"{base}/api/v1/employees/", json={"number": "E9100", "name": "二重"},
                           timeout=30)
        problem = refused.json()
        assert refused.status_code == 422 and problem["errors"][0]["field"] == "number"
        _check(spec, "Problem", problem)

        read_only = requests.patch(location, json={"name": "x"}, timeout=30,
                                   headers={"Authorization": f"Bearer {reader}"})
        assert read_only.status_code == 403

        assert api.delete(location, headers={"If-Match": changed.headers["ETag"]},
                          timeout=30).status_code == 204
        assert api.get(location, timeout=30).status_code == 404

        docs = api.get(f"{base}/api/docs", timeout=30, allow_redirects=False)
        assert docs.status_code == 200 and "/api/v1/employees/" in docs.text

    listed = run(env, "token", "list").stdout
    assert "nightly" in listed and "write" in listed and "active" in listed
    token_id = next(line.split("\t")[0] for line in listed.splitlines() if "\tnightly\t" in line)
    assert run(env, "token", "revoke", token_id).returncode == 0
    assert "revoked" in run(env, "token", "list").stdout
