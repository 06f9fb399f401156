"""Fixtures: one migrated database per run (SQLite file, or REGISTRY_DATABASE_URL), each test in a
transaction rolled back at the end, a client that logs in and posts forms with their CSRF token."""

from __future__ import annotations

import contextvars
import os
import re

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from registry import create_app
from registry.core.models import Role
from registry.core.users import create_user
from registry.extensions import db
from tests.factories import PASSWORD

# No app the tests make runs jobs in a thread of its own (it would poll the tests' database for
# the rest of the run); a served registry that should sets REGISTRY_JOBS_IN_APP=1 itself.
os.environ["REGISTRY_JOBS_IN_APP"] = "0"

CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REVISION_PATTERN = re.compile(r'name="revision" value="(\d+)"')


def _fresh_database(url: str) -> None:
    """Empty the PostgreSQL schema given for the run (CI creates a new database per run)."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("REGISTRY_DATABASE_URL")
    if url and url.startswith("postgresql"):
        _fresh_database(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'registry.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        # a cheap hash keeps the many test logins fast; production uses scrypt
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # jobs run when a test runs them, inside its transaction
        "JOBS_IN_APP": False,
    })
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def transaction(app, request):
    """Run the test inside an outer transaction that is rolled back afterwards (a test marked
    own_database works on a database of its own instead, unbound)."""
    if request.node.get_closest_marker("own_database"):
        yield None
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        db.session.remove()
        db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield connection
        finally:
            db.session.remove()
            db.session.configure(bind=None, join_transaction_mode="conditional_savepoint")
            outer.rollback()
            connection.close()


@pytest.fixture
def fresh_env(tmp_path) -> dict:
    """The environment of a `registry` process on a new SQLite file of its own."""
    env = dict(os.environ)
    env["REGISTRY_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    env["REGISTRY_SECRET_KEY"] = "cli-test"
    return env


@pytest.fixture
def scratch(database_url, tmp_path):
    """A function giving databases of their own, of the kind the suite runs on, for processes to
    share (a SQLite file, or a new PostgreSQL database dropped afterwards)."""
    made: list[str] = []
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT") \
        if database_url.startswith("postgresql") else None

    def make(label: str) -> str:
        if admin is None:
            return f"sqlite:///{tmp_path / f'{label}.db'}"
        name = f"scratch_{os.getpid()}_{label}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        made.append(name)
        return database_url.rsplit("/", 1)[0] + f"/{name}"

    yield make
    if admin is not None:
        with admin.connect() as connection:
            for name in made:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture
def scratch_url(scratch) -> str:
    return scratch("scratch")


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


class Client:
    """A test client that logs in and submits forms with the page's CSRF token.

    Each request runs in an empty context, so it gets its own app context (its own `g`, user and
    database session) even while the test holds one, as it would in a real server.
    """

    def __init__(self, flask_client):
        self.http = flask_client

    def get(self, url, **kwargs):
        return contextvars.Context().run(self.http.get, url, **kwargs)

    def hidden(self, url: str) -> dict[str, str]:
        """The CSRF token and the record's revision that the form page carries, as a browser
        would send them back."""
        page = self.get(url)
        text = page.get_data(as_text=True)
        match = CSRF_PATTERN.search(text)
        assert match, f"no CSRF token on {url} ({page.status_code})"
        fields = {"csrf_token": match.group(1)}
        revision = REVISION_PATTERN.search(text)
        if revision:
            fields["revision"] = revision.group(1)
        return fields

    def token(self, url: str) -> str:
        return self.hidden(url)["csrf_token"]

    def post(self, url, data=None, form_url=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            data = {**self.hidden(form_url or url), **data}
        return contextvars.Context().run(self.http.post, url, data=data, **kwargs)

    def login(self, username: str, password: str = PASSWORD):
        return self.post("/login", {"username": username, "password": password})


@pytest.fixture
def client(app):
    return Client(app.test_client())


@pytest.fixture
def users(app):
    """One user per role, committed inside the test's transaction."""
    with app.app_context():
        made = {role.value: create_user(role.value + "1", role, PASSWORD) for role in Role}
        db.session.commit()
        return {name: user.username for name, user in made.items()}


@pytest.fixture
def as_role(app, users):
    """A function returning a client logged in with the given role."""

    def make(role: str) -> Client:
        client = Client(app.test_client())
        response = client.login(users[role])
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make
