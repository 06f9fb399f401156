"""The secret key lives in the database: every app server on it signs with the same key, whatever
its instance folder, and the key signed with before (instance/secret_key) is kept."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade

from registry import create_app
from registry.extensions import db
from tests.served import run


@pytest.fixture
def without_key(monkeypatch):
    monkeypatch.delenv("REGISTRY_SECRET_KEY", raising=False)


def started(url: str, instance, monkeypatch):
    """An app as a server starts it, with its own instance folder."""
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("REGISTRY_DATABASE_URL", url)
    app = create_app()
    assert app.instance_path == str(instance)
    return app


def migrate(app) -> None:
    with app.app_context():
        upgrade()
        db.engine.dispose()


def test_servers_with_their_own_instance_folders_share_the_database_key(scratch, tmp_path,
                                                                         monkeypatch, without_key):
    url = scratch("shared_key")
    first = started(url, tmp_path / "one", monkeypatch)
    assert first.secret_key is None  # not migrated yet: `registry init` comes first
    migrate(first)
    second = started(url, tmp_path / "two", monkeypatch)
    third = started(url, tmp_path / "three", monkeypatch)
    assert len(second.secret_key) == 64 and second.secret_key == third.secret_key
    assert not (tmp_path / "two").exists(), "the app keeps no file of its own"


def test_the_key_signed_with_before_is_kept(scratch, tmp_path, monkeypatch, without_key):
    legacy = tmp_path / "instance"
    legacy.mkdir()
    (legacy / "secret_key").write_text("key-of-the-instance-folder\n")
    url = scratch("legacy_key")
    migrate(started(url, legacy, monkeypatch))
    assert started(url, tmp_path / "elsewhere", monkeypatch).secret_key == \
        "key-of-the-instance-folder"

    monkeypatch.setenv("REGISTRY_SECRET_KEY", "key-of-the-environment")
    url = scratch("environment_key")
    migrate(started(url, legacy, monkeypatch))
    monkeypatch.delenv("REGISTRY_SECRET_KEY")
    assert started(url, legacy, monkeypatch).secret_key == "key-of-the-environment"


def test_serving_a_database_not_set_up_is_refused(fresh_env):
    del fresh_env["REGISTRY_SECRET_KEY"]
    done = run(fresh_env, "run", "--port", "1")
    assert done.returncode == 1 and "run `registry init` first" in done.stderr
