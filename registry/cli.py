"""The `registry` command: set up, users, example data, exchange, checks, reports, serving and backups."""

from __future__ import annotations

import getpass
import json
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup, ScriptInfo, with_appcontext
from flask_babel import force_locale
from flask_migrate import cli as migrate_cli
from flask_migrate import upgrade

from registry import create_app, demo
from registry.api import tokens
from registry.api.models import ApiToken, Scope
from registry.compliance import engine
from registry.config import SettingError
from registry.consignees.models import Consignee
from registry.core import audit, backups, clock, grants, transactions, users
from registry.core.files import write_atomically
from registry.core.models import Role, User
from registry.core.progress import Progress, ignore
from registry.core.schema import Invalid
from registry.core.secret_key import NOT_SET_UP
from registry.exchange import pipeline, write
from registry.exchange.guard import Refused, one_line
from registry.extensions import db
from registry.jobs import queue, runner
from registry.ledger import fields, importer
from registry.ledger.mapping import Mapping
from registry.mail import remind
from registry.mail.transport import MailError
from registry.notice import content, drift
from registry.notice import document as notice_document
from registry.notice import policy as notice_policy
from registry.people import feed
from registry.questionnaires import bank, issuance, returned, workbook
from registry.questionnaires.models import WorkbookLanguage
from registry.reporting import document, quarterly, snapshots
from registry.reporting import workbook as report_workbook
from registry.supervision.models import CheckKind, Severity


def _cli_actor() -> None:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    audit.act_as(f"cli:{name}")


#: the option that keeps a long command's progress bar off the terminal
quiet_option = click.option("--quiet", is_flag=True,
                            help="Show no progress bar (none is shown unless stderr is a terminal).")


@contextmanager
def progress_bar(label: str, quiet: bool) -> Iterator[Progress]:
    """A progress callback drawing a bar on stderr when it is a terminal (and not --quiet);
    standard output and exit codes are the same either way."""
    if quiet or not sys.stderr.isatty():
        yield ignore
        return
    with click.progressbar(length=1, label=label, file=sys.stderr, show_percent=True,
                           show_pos=True) as bar:
        def report(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(max(done - bar.pos, 0))

        yield report


@click.group(cls=AppGroup)
def cli() -> None:
    """The personal information registry (APPI). Settings come from REGISTRY_* variables."""


cli.add_command(migrate_cli.db)


@migrate_cli.db.command("grant")
@click.argument("role")
@with_appcontext
def grant_command(role: str) -> None:
    """Give the PostgreSQL ROLE the app runs as the rights it needs, and no others (run as the
    tables' owner after `registry init`, each `registry db upgrade` and a restore)."""
    try:
        grants.grant(role)
    except grants.GrantError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Granted {role} what the app needs: reading and writing the records, reading and "
               f"appending to {' and '.join(grants.APPEND_ONLY)}, reading "
               f"{' and '.join(grants.READ_ONLY)}.")


def main() -> None:
    """Entry point of the `registry` console script."""
    cli(obj=ScriptInfo(create_app=_app, set_debug_flag=False, load_dotenv_defaults=False))


def _app():
    """The app; a wrong setting stops the command with one line naming it (exit 2)."""
    try:
        return create_app()
    except SettingError as error:
        click.echo(f"registry: {error}", err=True)
        sys.exit(2)


@cli.command()
@with_appcontext
def init() -> None:
    """Bring the database to the latest migration and create an admin user if there is none."""
    upgrade()
    _cli_actor()
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0:
        password = users.random_password()
        users.create_user("admin", Role.ADMIN, password)
        db.session.commit()
        click.echo("Created the user 'admin' with this password (shown only once):")
        click.echo(f"    {password}")
    added = bank.seed()
    db.session.commit()
    if added:
        click.echo(f"Loaded the default question bank ({added} questions).")
    click.echo("The database is up to date.")


@cli.command("create-user")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--email", help="Work e-mail address (single sign-on finds the account by it).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user(name: str, role: str, email: str | None, password_stdin: bool) -> None:
    """Create a user NAME with a role; the password is asked for (or read from stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    _cli_actor()
    try:
        users.create_user(name, Role(role), password, email=email)
    except users.UserError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created the user '{name}' ({role}).")


@cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) when data exists.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the shipped example inventory into an empty registry."""
    _cli_actor()
    if not demo.registry_is_empty():
        if if_empty:
            click.echo("The registry already holds data; the example inventory was not loaded.")
            return
        raise click.ClickException(
            "The registry already holds data. The example inventory loads only into an empty one."
        )
    counts = demo.load()
    db.session.commit()
    summary = ", ".join(f"{count} {name}" for name, count in counts.items())
    click.echo(f"Loaded the example inventory: {summary}.")


@cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--language", type=click.Choice(["en", "ja"]), default="en", show_default=True,
              help="Language of the sheet names, headers and values.")
@quiet_option
@with_appcontext
def export_command(file: Path, language: str, quiet: bool) -> None:
    """Write the whole inventory to FILE.xlsx."""
    transactions.one_snapshot()
    with progress_bar("Exporting", quiet) as progress:
        counts = write_atomically(file, lambda path: write.export(path, language,
                                                                  progress=progress))
    click.echo(f"Exported {sum(counts.values())} records to {file}: "
               + ", ".join(f"{n} {name}" for name, n in counts.items()))


def _refuse(file: Path, refusal: Refused) -> NoReturn:
    """Exit 2 with the one line that says why the file is refused."""
    click.echo(f"Refused: {file.name}: {one_line(refusal, limit=2000)}. Nothing was written.",
               err=True)
    sys.exit(2)


def _must_exist(file: Path) -> None:
    """Exit 2 (a file refused) when there is no such file."""
    if not file.is_file():
        click.echo(f"Refused: {file}: no such file", err=True)
        sys.exit(2)


def _planned(file: Path, verbose: bool = False, quiet: bool = True, **options):
    """The workbook checked and its plan printed (with --verbose, every record it changes); exit 2
    when it is refused, 1 when invalid. Options go to the pipeline (sync, kind ...)."""
    try:
        with progress_bar("Checking", quiet) as progress:
            plan = pipeline.plan_file(file, progress=progress, **options)
    except Refused as refusal:
        _refuse(file, refusal)
    if plan.kind == returned.QUESTIONNAIRE:
        _say_returned(plan)
    for notice in plan.notices:
        click.echo(f"Note: {notice}")
    for issue in plan.issues:
        click.echo(f"Error: {issue}", err=True)
    for line in pipeline.summary(plan, None if verbose else pipeline.LISTED):
        click.echo(line)
    if not plan.valid:
        click.echo(f"{len(plan.issues)} problem(s) found; nothing was written.", err=True)
        sys.exit(1)
    return plan


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and show the plan; write nothing.")
@click.option("--sync", is_flag=True,
              help="Also delete records missing from the sheets present in the workbook.")
@click.option("--verbose", is_flag=True,
              help=f"List every record the import changes (else the first {pipeline.LISTED} of "
                   "each sheet).")
@quiet_option
@with_appcontext
def import_command(file: Path, dry_run: bool, sync: bool, verbose: bool, quiet: bool) -> None:
    """Import an inventory workbook. Exit 0 applied (or valid with --dry-run), 1 validation
    errors (nothing written), 2 a file that cannot be read or is refused (nothing written),
    3 the registry kept changing under the import (nothing written; run it again)."""
    _cli_actor()
    _must_exist(file)
    plan = _planned(file, verbose, quiet, sync=sync)
    if dry_run:
        click.echo("The workbook is valid (dry run: nothing was written).")
        return
    _apply(file, plan, lambda: _planned(file, verbose, quiet, sync=sync), quiet)


def _apply(file: Path, plan, planned, quiet: bool = True) -> None:
    """Apply a valid plan as an import batch, planning again (planned()) while the registry keeps
    changing under it; exit 3 after pipeline.IMPORT_ATTEMPTS tries."""
    try:
        batch = pipeline.apply_current(
            plan, planned, file.name, file.read_bytes(), lambda: progress_bar("Writing", quiet),
            lambda stale: click.echo(f"Note: {stale}; checking the workbook again."))
    except pipeline.KeptChanging:
        click.echo("The registry kept changing while the workbook was imported; nothing was "
                   "written. Run the import again.", err=True)
        sys.exit(3)
    if batch is None:
        click.echo("Nothing to change: the registry already holds this data.")
        return
    db.session.commit()
    click.echo(f"Applied as import batch {batch.id} (SHA-256 {batch.sha256[:12]}…).")


@cli.command("check")
@click.option("--fail-on", type=click.Choice([level.value for level in engine.LEVELS]),
              help="Exit 1 when an open result is at or above this severity.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--language", type=click.Choice(["en", "ja"]), default="en", show_default=True)
@with_appcontext
def check_command(fail_on: str | None, output: str, language: str) -> None:
    """Run the compliance checks as of today. Exit 0, or 1 when --fail-on is given and an open
    (not waived) result is at or above that severity."""
    at = engine.context()
    with current_app.test_request_context(), force_locale(language):
        tallies, found = engine.run(at)
        failing = bool(fail_on) and any(
            engine.LEVELS.index(t.severity) >= engine.LEVELS.index(Severity(fail_on)) and t.open
            for t in tallies)
        if output == "json":
            click.echo(json.dumps(_check_report(at.as_of, tallies, found, fail_on, failing),
                                  ensure_ascii=False, indent=2))
        else:
            click.echo(f"Compliance checks as of {at.as_of}: {sum(t.open for t in tallies)} open, "
                       f"{sum(t.waived for t in tallies)} waived.")
            for t in tallies:
                click.echo(f"{t.severity.value.upper():9} {t.check.code:38} {t.open:6} open "
                           f"{t.waived:4} waived  {t.check.title}")
            for result in found:
                click.echo(f"[{engine.severity(result.check).value}] {result.check.code}: "
                           f"{result.label} — {result.reason}")
            if failing:
                click.echo(f"Open results at or above {fail_on}: exit 1.", err=True)
    sys.exit(1 if failing else 0)


def _check_report(as_of, tallies, found, fail_on, failing) -> dict:
    return {
        "as_of": as_of.isoformat(), "fail_on": fail_on, "failing": failing,
        "checks": [{"code": t.check.code, "title": str(t.check.title), "severity": t.severity.value,
                    "basis": str(t.check.basis), "open": t.open, "waived": t.waived} for t in tallies],
        "results": [{"check": r.check.code, "severity": engine.severity(r.check).value,
                     "record_type": r.check.subject.__tablename__, "record_id": r.subject_id,
                     "label": r.label, "reason": r.reason, "path": r.url} for r in found],
    }


@cli.group()
def report() -> None:
    """Reports for management."""


@report.command("quarterly")
@click.argument("quarter")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.pdf, FILE.xlsx or FILE.html; the extension decides the format.")
@click.option("--language", type=click.Choice(["en", "ja"]), default="en", show_default=True)
@click.option("--snapshot", is_flag=True, help="Also save the report as a snapshot.")
@quiet_option
@with_appcontext
def report_quarterly(quarter: str, out: Path, language: str, snapshot: bool, quiet: bool) -> None:
    """Write the supervision report of a fiscal QUARTER (e.g. FY2026-Q2) to --out."""
    suffix = out.suffix.lower()
    if suffix not in REPORT_FORMATS:
        raise click.BadParameter("the file must end in .pdf, .xlsx or .html", param_hint="--out")
    try:
        q = quarterly.quarter(quarter)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="QUARTER") from error
    _cli_actor()
    with progress_bar("Writing the report", quiet) as progress:
        content = quarterly.build(q)
        progress(1, 2)
        with current_app.test_request_context(), force_locale(language):
            write_atomically(out, lambda path: REPORT_FORMATS[suffix](content, path))
        progress(2, 2)
    click.echo(f"Wrote the {q} report ({q.first_day} to {q.last_day}) to {out}.")
    if snapshot:
        saved = snapshots.save(content)
        db.session.commit()
        click.echo(f"Saved as snapshot #{saved.id} (SHA-256 {saved.digest[:12]}…).")


#: the quarterly report's formats, by the --out file's extension
REPORT_FORMATS = {
    ".pdf": lambda content, path: path.write_bytes(document.pdf(content)),
    ".xlsx": report_workbook.write,
    ".html": lambda content, path: path.write_text(document.html(content), encoding="utf-8"),
}


@cli.group()
def token() -> None:
    """Personal access tokens of the API."""


@token.command("create")
@click.argument("name")
@click.option("--user", "username", required=True, help="The user the token acts as.")
@click.option("--scope", type=click.Choice([s.value for s in Scope]), required=True,
              help="read: lists and records; write: also creates, changes and deletes them.")
@click.option("--days", type=int, help="Days the token lasts (else until revoked).")
@with_appcontext
def token_create(name: str, username: str, scope: str, days: int | None) -> None:
    """Make a token NAME for a user and print it, once: it is kept only as a digest."""
    _cli_actor()
    user = users.find(username)
    if user is None:
        raise click.ClickException(f"There is no user '{username}'.")
    try:
        made, secret = tokens.create(user, name, Scope(scope), days)
    except tokens.TokenError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    until = made.expires_on.isoformat() if made.expires_on else "revoked"
    click.echo(f"Token '{made.name}' of {user.username} ({scope}), valid until {until}. Keep it "
               "now; it is not shown again:", err=True)
    click.echo(secret)


@token.command("list")
@with_appcontext
def token_list() -> None:
    """Every token: id, user, name, scope, state, expiry and last use."""
    for found in db.session.scalars(tokens.visible_to_all()):
        click.echo(f"{found.id}\t{found.user.username}\t{found.name}\t{found.scope.value}\t"
                   f"{tokens.state(found)}\t{found.expires_on or '-'}\t"
                   f"{found.last_used_at.isoformat(timespec='minutes') if found.last_used_at else '-'}\t"
                   f"{found.prefix}…")


@token.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def token_revoke(token_id: int) -> None:
    """Revoke the token of id TOKEN_ID (see `registry token list`) at once."""
    _cli_actor()
    found = db.session.get(ApiToken, token_id)
    if found is None:
        raise click.ClickException(f"There is no token with id {token_id}.")
    tokens.revoke(found)
    db.session.commit()
    click.echo(f"Revoked the token '{found.name}' of {found.user.username}.")


@cli.group()
def employees() -> None:
    """Employees as the HR system lists them."""


@employees.command("sync")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and show what would change; write nothing.")
@click.option("--revoke", is_flag=True,
              help="Also revoke every access grant in force of a leaver, on the departure day.")
@click.option("--verbose", is_flag=True,
              help=f"List every record the sync changes (else the first {pipeline.LISTED} of "
                   "each sheet).")
@quiet_option
@with_appcontext
def employees_sync(file: Path, dry_run: bool, revoke: bool, verbose: bool, quiet: bool) -> None:
    """Bring the employees up to date from the HR system's export FILE (CSV in UTF-8 or CP932,
    or .xlsx): new employees added, changes applied, departures recorded, and the access grants
    in force of each leaver listed (revoked with --revoke). Exit 0 applied (or valid with
    --dry-run), 1 problems (nothing written), 2 a file refused (nothing written), 3 the registry
    kept changing under it (nothing written; run it again)."""
    _cli_actor()
    _must_exist(file)

    def planned():
        return _planned(file, verbose, quiet, kind=feed.HR_FEED, revoke=revoke,
                        filename=file.name)

    plan = planned()
    for leaver in plan.leavers:
        click.echo(f"Leaver {leaver.number} {leaver.name} (departed on "
                   f"{leaver.departed_on.isoformat()}): {len(leaver.grants)} access grant(s) in "
                   f"force{', revoked on that day' if revoke else ', to revoke'}:")
        for category, system, level in leaver.grants:
            click.echo(f"  {category} / {system} ({level.value})")
    if plan.leavers and not revoke:
        click.echo("Run again with --revoke to revoke them on the departure days.")
    if dry_run:
        click.echo("The list is valid (dry run: nothing was written).")
        return
    _apply(file, plan, planned, quiet)


@cli.command("remind")
@click.option("--dry-run", is_flag=True, help="List the mails due now; send and write nothing.")
@with_appcontext
def remind_command(dry_run: bool) -> None:
    """Mail today's reminders: to each owner their things due soon or overdue, the weekly digest
    to the compliance officer, and questionnaires and their reminders to vendors; none twice.
    For a scheduler (hourly or daily). Exit 0 sent (or nothing due), 1 a mail refused (logged,
    tried again at the next run), 2 no mail server set (REGISTRY_SMTP_URL) or it cannot be
    reached or refused the login, 3 another run is sending (nothing sent)."""
    _cli_actor()
    if not dry_run and not current_app.config["SMTP_URL"]:
        click.echo("No mail server is set: set REGISTRY_SMTP_URL and REGISTRY_MAIL_FROM.", err=True)
        sys.exit(2)
    try:
        with remind.one_run():
            went, failures = _remind(dry_run)
    except remind.Busy:
        click.echo("Another `registry remind` is sending: nothing was sent (run it again "
                   "later).", err=True)
        sys.exit(3)
    except MailError as error:
        db.session.rollback()
        click.echo(f"The mail server could not be used: {error}", err=True)
        sys.exit(2)
    if dry_run:
        return
    click.echo(f"{went} mail(s) sent.")
    for failure in failures:
        click.echo(f"Not sent: {failure}", err=True)
    if failures:
        sys.exit(1)


def _remind(dry_run: bool) -> tuple[int, list[str]]:
    """Plan today's mails, print a line for each, and send them (unless a dry run)."""
    today = clock.today()
    mails = remind.plan(today)
    for mail in mails:
        subject, _ = mail.words()
        click.echo(f"To {mail.to.address} ({mail.kind}): {subject}"
                   + (f" [{about}]" if (about := remind.about(mail)) else ""))
    if dry_run:
        db.session.rollback()
        click.echo(f"{len(mails)} mail(s) would be sent (dry run: nothing was sent or written).")
        return 0, []
    return remind.send(mails, today)


@cli.group()
def questionnaire() -> None:
    """Vendor questionnaires: workbooks that go out to consignees and come back."""


@questionnaire.command("export")
@click.argument("consignee")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--country", help="The consignee's country, when its name exists in several.")
@click.option("--due-days", type=int, help="Days to answer (default by the risk tier).")
@click.option("--language", type=click.Choice([language.value for language in WorkbookLanguage]),
              default=WorkbookLanguage.BOTH.value, show_default=True,
              help="Language of the workbook's texts.")
@with_appcontext
def questionnaire_export(consignee: str, file: Path, country: str | None,
                         due_days: int | None, language: str) -> None:
    """Issue a questionnaire to CONSIGNEE (its name) and write the workbook to FILE.xlsx. Exit 0
    written, 1 no such consignee (or several: give --country), or answers due before the day of
    issue."""
    _cli_actor()
    query = sa.select(Consignee).where(Consignee.name == consignee)
    if country:
        query = query.where(Consignee.country == country.upper())
    found = db.session.scalars(query).all()
    if len(found) != 1:
        raise click.ClickException(
            f"No consignee named “{consignee}”" if not found else
            f"“{consignee}” exists in several countries; give --country")
    db.session.rollback()  # take the write lock from the start of the writing transaction
    today = clock.today()
    with transactions.writing():
        try:
            issued = issuance.issue(
                db.session.get(Consignee, found[0].id), on=today,
                due_on=None if due_days is None else today + timedelta(days=due_days),
                language=WorkbookLanguage(language))
        except Invalid as invalid:
            raise click.ClickException(str(invalid)) from invalid
        write_atomically(file, lambda path: workbook.write(issued, path))
        db.session.commit()
    click.echo(f"Issued {issued.reference} to {found[0]} ({len(issued.versions)} questions, "
               f"answers due {issued.due_on}); wrote {file}.")


@questionnaire.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and show the result; write nothing.")
@click.option("--accept-details", is_flag=True,
              help="Also accept the vendor's corrections to its details.")
@click.option("--consignee", help="Refuse the workbook unless it was issued to this consignee.")
@click.option("--as", "check_kind", metavar="selection|periodic|ad_hoc",
              help="The kind of supervision check to record (default: selection for a consignee "
                   "never checked, else periodic).")
@with_appcontext
def questionnaire_import(file: Path, dry_run: bool, accept_details: bool,
                         consignee: str | None, check_kind: str | None) -> None:
    """Import a returned questionnaire. Exit 0 recorded (or valid with --dry-run, or already
    imported), 1 unanswered or invalid answers (or a kind of check the rules refuse), 2 a file
    that is refused (another consignee, a forged or edited signature, an unknown version, a
    hostile file); nothing written unless 0."""
    _cli_actor()
    _must_exist(file)
    expected = None
    if consignee:
        expected = db.session.scalar(sa.select(Consignee.id).where(Consignee.name == consignee))
        if expected is None:
            raise click.ClickException(f"No consignee named “{consignee}”")
    accept = "all" if accept_details else ()
    options = {"kind": returned.QUESTIONNAIRE, "consignee_id": expected, "accept": accept,
               "check_kind": check_kind}
    plan = _planned(file, **options)
    if dry_run:
        click.echo("The answers are valid (dry run: nothing was written).")
        return
    _apply(file, plan, lambda: _planned(file, **options))


def _say_returned(plan) -> None:
    """What a returned questionnaire says: its answers, the failing ones, the corrections."""
    result = plan.returned
    questionnaire = result.questionnaire
    click.echo(f"{questionnaire.reference} for {questionnaire.consignee}: "
               f"{len(result.assessed)} answers assessed, {len(result.failing)} failing, "
               f"{len(result.facts)} facts.")
    kinds = {kind.value: kind.label.en for kind in CheckKind}
    if not result.already_imported and plan.check_kind in kinds:
        click.echo(f"Kind of check: {kinds[plan.check_kind]}")
    for answer in result.failing:
        click.echo(f"Failing: {answer.version.question.code} ({answer.cell}) = {answer.answer}")
    for answer in result.facts:
        click.echo(f"Fact: {answer.version.question.code} = {answer.answer}")
    for change in result.details:
        accepted = "accepted" if change.attr in plan.accepted else "not accepted"
        refused = f", cannot be accepted: {change.problem}" if change.problem else ""
        click.echo(f"Details: {change.label}: “{change.old}” -> “{change.new}” "
                   f"({accepted}{refused})")
    if result.already_imported:
        click.echo("This questionnaire was already imported; nothing will change.")


@cli.group()
def ledger() -> None:
    """A company's own ledger (個人情報管理台帳), whatever its shape: suggest how to read it, import it."""


@ledger.command("suggest")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--sheet", help="The sheet to read (else the one the registry finds).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the mapping as JSON, to edit and give to `registry ledger import`.")
@with_appcontext
def ledger_suggest(file: Path, sheet: str | None, out: Path | None) -> None:
    """Show how the registry would read the ledger FILE (.xlsx or .csv). Exit 0, or 2 when the
    file is refused or no sheet of it can be read."""
    _must_exist(file)
    try:
        _grids, mapping = importer.read(file, pipeline.limits(), sheet)
    except Refused as refusal:
        _refuse(file, refusal)
    for reason in mapping.reasons:
        click.echo(reason)
    click.echo(f"Header row(s): {', '.join(map(str, mapping.header_rows))}; data from row "
               f"{mapping.first_row}.")
    for column in mapping.columns:
        field = fields.BY_NAME[column.field].label.en if column.field else "(kept as a note)"
        samples = ", ".join(column.samples)
        click.echo(f"  {column.column:3} {column.heading or '—':24} → {field}"
                   + (f"   e.g. {samples}" if samples else ""))
    if out:
        write_atomically(out, lambda path: path.write_text(mapping.to_json(), encoding="utf-8"))
        click.echo(f"Wrote the mapping to {out}.")


@ledger.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A mapping written by `registry ledger suggest --out` (else its suggestion).")
@click.option("--sheet", help="The sheet to read (else the one the registry finds).")
@click.option("--dry-run", is_flag=True, help="Check and show the plan; write nothing.")
@click.option("--verbose", is_flag=True,
              help=f"List every record the import changes (else the first {pipeline.LISTED} of "
                   "each sheet).")
@quiet_option
@with_appcontext
def ledger_import(file: Path, mapping_file: Path | None, sheet: str | None, dry_run: bool,
                  verbose: bool, quiet: bool) -> None:
    """Import the ledger FILE (.xlsx or .csv) as the records its rows describe, as one import
    batch. Exit 0 applied (or valid with --dry-run), 1 problems (nothing written), 2 a file or
    mapping that is refused (nothing written), 3 the registry kept changing (run it again)."""
    _cli_actor()
    _must_exist(file)
    mapping = None
    if mapping_file:
        try:
            mapping = Mapping.from_json(mapping_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, Refused) as error:
            _refuse(mapping_file, Refused(str(error)))
    options = {"kind": importer.LEDGER, "mapping": mapping, "sheet": sheet}
    plan = _planned(file, verbose, quiet, **options)
    if dry_run:
        click.echo("The ledger is valid (dry run: nothing was written).")
        return
    _apply(file, plan, lambda: _planned(file, verbose, quiet, **options), quiet)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@with_appcontext
def run(host: str, port: int, workers: int) -> None:
    """Serve the registry with gunicorn (a production WSGI server)."""
    if not current_app.secret_key:
        raise click.ClickException(NOT_SET_UP)
    click.echo(f"Serving the registry on http://{host}:{port}/ (Ctrl+C stops it)")
    os.execvp(sys.executable, [
        sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers),
        "--access-logfile", "-", "registry:create_app()",
    ])


@cli.command()
@click.option("--once", is_flag=True, help="Run the jobs queued now, then exit.")
@with_appcontext
def worker(once: bool) -> None:
    """Run queued jobs (imports, exports, reports the pages asked for) until stopped (Ctrl+C or
    SIGTERM), or with --once until none is queued; jobs whose worker stopped answering are
    marked failed first."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as Ctrl+C does
    click.echo(f"Running jobs as {queue.worker_name()}" + (" (once)" if once else
                                                            " (Ctrl+C stops)"))
    try:
        ran = runner.work(once=once)
    except KeyboardInterrupt:
        click.echo("Stopped.")
        return
    click.echo(f"Ran {ran} job(s).")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(file: Path) -> None:
    """Write a consistent copy of the registry to FILE (SQLite online backup, or pg_dump)."""
    try:
        backups.backup(file)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up the registry to {file} ({file.stat().st_size:,} bytes).")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore(file: Path) -> None:
    """Restore the backup FILE into this registry, which must be empty. Stop the app first."""
    try:
        backups.restore(file)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {file}. Run `registry db upgrade` if the backup is older than this version.")


@cli.command("notice")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.html or FILE.md: the notice of the matters on retained personal data.")
@click.option("--language", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@click.option("--compare", "policy", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A published privacy policy (text) to compare with the registry.")
@with_appcontext
def notice_command(out: Path | None, language: str, policy: Path | None) -> None:
    """Write the public notice (APPI Art. 32) from the registry to --out, and/or list what
    drifted between the registry and the published policy given to --compare: exit 0 when
    nothing drifted, 1 when something did (2: a usage error or an unreadable policy)."""
    if out is None and policy is None:
        raise click.UsageError("give --out FILE.html|FILE.md, --compare POLICY.txt, or both")
    facts = content.build()
    if out is not None:
        suffix = out.suffix.lower()
        if suffix not in notice_document.FORMATS:
            raise click.BadParameter("the file must end in .html or .md", param_hint="--out")
        text = notice_document.render(facts, suffix, language)
        write_atomically(out, lambda path: path.write_text(text, encoding="utf-8"))
        click.echo(f"Wrote the notice ({len(facts.purposes)} purposes in force) to {out}.")
        for setting in notice_document.unset(facts):
            click.echo(f"Warning: {setting} is not set; the notice shows — in its place.", err=True)
    if policy is None:
        return
    try:
        text = notice_policy.decode(policy.read_bytes())
    except notice_policy.Unreadable as error:
        raise click.BadParameter(str(error), param_hint="--compare") from error
    found = drift.compare(facts, text)
    with current_app.test_request_context(), force_locale(language):
        click.echo(f"Drift between the registry and {policy.name} as of {facts.as_of}: "
                   f"{len(found)}.")
        for way, heading in (("registry", "In the registry, not in the policy:"),
                             ("policy", "In the policy, not in the registry:")):
            listed = [d for d in found if d.way == way]
            if listed:
                click.echo(heading)
                for item in listed:
                    click.echo(f"  {item.subject} — {item.reason}")
    sys.exit(1 if found else 0)
