"""The registry: a Flask application that records how personal information is handled under the APPI."""

from __future__ import annotations

import gc
import importlib
import os
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from registry import config
from registry.core import schema, secret_key, transactions
from registry.core.files import PRIVATE
from registry.extensions import babel, csrf, db, limiter, login_manager, migrate

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def shipped(folder: str) -> Path:
    """A top-level folder of the repository the application reads (templates, migrations, imports):
    there in a checkout, inside the package when installed from a wheel (setup.py puts it there)."""
    installed = PACKAGE / folder
    return installed if installed.is_dir() else ROOT / folder


def create_app(test_config: dict | None = None) -> Flask:
    """Create the application; test_config overrides the environment's settings."""
    # Flask's own instance folder: instance/ in a checkout, <prefix>/var/registry-instance when
    # installed from a wheel, so the secret key and database never land in site-packages.
    app = Flask(
        __name__,
        instance_path=config.instance_path(),
        template_folder=str(shipped("templates")),
    )
    app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    if test_config:
        app.config.from_mapping(test_config)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PACKAGE / "translations")
    if app.config["TRUSTED_PROXIES"]:  # the client's address and scheme as the first proxy saw them
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    with app.app_context():
        _tune_engine(db.engine)
        if not app.config["SECRET_KEY"]:  # shared by every server on the database
            app.config["SECRET_KEY"] = secret_key.stored()
        if db.engine.dialect.name == "postgresql":
            app.before_request(transactions.read_in_autocommit)
    migrate.init_app(app, db, directory=str(shipped("migrations")), render_as_batch=True,
                     compare_type=True)
    from registry.core import auth, sso, web

    app.before_request(web.allow_upload_size)  # before the CSRF check reads the body
    csrf.init_app(app)
    limiter.init_app(app)

    app.url_map.converters["int"] = web.RecordIdConverter

    login_manager.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale)
    web.init_app(app)
    auth.init_app(app)
    sso.init_app(app)
    _register_blueprints(app)
    from registry.compliance.engine import validate_severities

    validate_severities(app.config["CHECK_SEVERITY"])
    # The modules, models and templates just loaded live as long as the process: keep them out
    # of the cyclic collector's sweeps, which otherwise walk them all on every full collection
    # (tens of milliseconds, seen as p99 spikes in the page benchmark).
    gc.freeze()
    return app


#: the domains whose records are described (core.schema), in the order of the workbook's sheets
DOMAINS = ("inventory", "consignees", "supervision", "people", "questionnaires", "incidents",
           "rights", "provisions")


def _register_blueprints(app: Flask) -> None:
    for domain in DOMAINS:
        importlib.import_module(f"registry.{domain}.rules")
    schema.arrange(DOMAINS)
    importlib.import_module("registry.ledger.importer")  # kinds of workbook the pipeline reads
    importlib.import_module("registry.people.feed")
    from registry.api.pages import bp as tokens
    from registry.api.views import bp as api
    from registry.compliance.views import bp as compliance
    from registry.consignees.views import bp as consignees
    from registry.core.security import bp as security
    from registry.core.views import bp as core
    from registry.evidence.views import bp as evidence
    from registry.exchange.views import bp as exchange
    from registry.incidents.views import bp as incidents
    from registry.inventory.views import bp as inventory
    from registry.jobs.views import bp as jobs
    from registry.ledger.views import bp as ledger
    from registry.mail.views import bp as mail
    from registry.notice.views import bp as notice
    from registry.people.views import bp as people
    from registry.provisions.views import bp as provisions
    from registry.questionnaires.views import bp as questionnaires
    from registry.reporting.views import bp as reporting
    from registry.rights.views import bp as rights
    from registry.supervision.views import bp as supervision

    for blueprint in (core, inventory, consignees, supervision, people, exchange, questionnaires,
                      compliance, reporting, ledger, security, evidence, jobs, incidents, notice,
                      rights, provisions, tokens, mail, api):
        app.register_blueprint(blueprint)
    if app.config["JOBS_IN_APP"]:
        from registry.jobs.runner import start_in_app

        app.before_request(lambda: start_in_app(app))


def _tune_engine(engine: sa.Engine) -> None:
    """SQLite: WAL, foreign keys, a busy timeout, and transactions begun explicitly, taking the
    write lock at once when they will write (registry.core.transactions)."""
    if engine.dialect.name != "sqlite":
        return
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:") \
            and not os.path.exists(database):
        # made readable by its owner alone before SQLite creates it (and its -wal and -shm
        # files, which SQLite gives the database file's mode)
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, PRIVATE))

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (needed for SAVEPOINT).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        # 64 MiB of page cache (the default is 2 MiB): bulk imports update several indexes
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if transactions.intends_to_write() else "BEGIN")
