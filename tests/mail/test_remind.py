"""`registry remind` against a real SMTP server (aiosmtpd): each owner gets their own things, the
compliance officer a weekly digest, a vendor its questionnaire workbook and reminders; nothing
is mailed twice; every mail is logged and shown on its record's page."""

from __future__ import annotations

import io
import os
from datetime import date, timedelta

import openpyxl
import pytest

from registry.cli import cli
from registry.core import users
from registry.core.models import Language, Role
from registry.extensions import db
from registry.mail import due, remind, wording
from registry.mail.models import Mail, MailStatus
from registry.questionnaires import bank, issuance
from tests import factories as f
from tests import served
from tests.factories import PASSWORD, today
from tests.mail.smtp import Server


@pytest.fixture
def smtp(app):
    server = Server()
    app.config.update(SMTP_URL=server.url, MAIL_FROM="privacy@example.co.jp",
                      COMPLIANCE_OFFICER=("officer@example.co.jp",),
                      BASE_URL="https://registry.example.co.jp")
    yield server
    server.stop()
    app.config.update(SMTP_URL="", MAIL_FROM="", COMPLIANCE_OFFICER=(), BASE_URL="")


def run(app, *options):
    return app.test_cli_runner().invoke(cli, ["remind", *options])


def things(app_ctx):
    """Suzuki (a user who reads English) owns a finding due tomorrow and a consignee whose
    contract ends in a week; tanaka@… (an address, no user) an overdue finding and a request
    whose answer is late; a finding of “someone” reaches nobody."""
    users.create_user("suzuki", Role.EDITOR, PASSWORD, email="suzuki@example.co.jp")
    db.session.flush()
    suzuki = db.session.scalar(db.select(users.User).filter_by(username="suzuki"))
    suzuki.language = Language.EN
    day = today()
    f.make_finding(reference="FND-SOON", owner="Suzuki", due_on=day + timedelta(days=1))
    f.make_finding(reference="FND-LATE", owner="tanaka@example.co.jp",
                   due_on=day - timedelta(days=3))
    f.make_finding(reference="FND-NOBODY", owner="someone", due_on=day - timedelta(days=1))
    f.make_finding(reference="FND-DONE", owner="suzuki", due_on=day, status="resolved",
                   resolution="done", resolved_on=day)
    f.make_contract(reference="CON-END", end_on=day + timedelta(days=7),
                    consignee=f.make_consignee(name="Owned Inc.", owner="suzuki"))
    f.make_request(reference="REQ-LATE", owner="tanaka@example.co.jp",
                   received_on=day - timedelta(days=40))
    db.session.commit()


def test_each_owner_gets_their_own_things_once_and_the_officer_a_digest(app, app_ctx, smtp,
                                                                          as_role):
    things(app_ctx)
    result = run(app)
    assert result.exit_code == 0, result.output
    assert "3 mail(s) sent." in result.output

    [english] = smtp.inbox.to("suzuki@example.co.jp")
    assert english["Subject"] == "[Registry] 2 item(s) of yours due or overdue"
    assert english["From"] == "privacy@example.co.jp"
    body = english.get_content()
    assert "FND-SOON" in body and "due in 1 day" in body and "CON-END" in body
    assert "FND-LATE" not in body and "FND-DONE" not in body
    assert "https://registry.example.co.jp/findings/" in body

    [japanese] = smtp.inbox.to("tanaka@example.co.jp")
    assert japanese["Subject"] == "【個人情報管理台帳】担当事項の期限のお知らせ（2件）"
    body = japanese.get_content()
    assert "FND-LATE" in body and "3日超過" in body and "REQ-LATE" in body

    [digest] = smtp.inbox.to("officer@example.co.jp")
    body = digest.get_content()
    assert "週次まとめ" in digest["Subject"]
    unreached = body.split("リマインダーを送れませんでした")[1]
    assert "FND-NOBODY" in unreached and "FND-SOON" not in unreached

    again = run(app)
    assert again.exit_code == 0 and "0 mail(s) sent." in again.output
    assert len(smtp.inbox.mails) == 3, "nobody gets the same reminder twice"

    finding = db.session.scalar(db.select(f.Finding).filter_by(reference="FND-SOON"))
    page = as_role("viewer").get(f"/findings/{finding.id}").get_data(as_text=True)
    assert 'id="mails"' in page and "suzuki@example.co.jp" in page
    log = as_role("viewer").get("/mail/").get_data(as_text=True)
    assert "officer@example.co.jp" in log and "tanaka@example.co.jp" in log


def test_a_dry_run_lists_the_mails_and_sends_and_writes_nothing(app, app_ctx, smtp):
    things(app_ctx)
    result = run(app, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "To suzuki@example.co.jp (owner-reminder)" in result.output
    assert "[CON-END, FND-SOON]" in result.output
    assert "3 mail(s) would be sent" in result.output
    assert smtp.inbox.mails == [] and db.session.scalar(db.select(db.func.count(Mail.id))) == 0
    [owner] = [m for m in remind.plan(today()) if m.kind == "owner-reminder"
               and m.to.address == "suzuki@example.co.jp"]
    assert tuple(owner.values["items"][0]) == wording.ITEM_FIELDS, "as the template page says"


def test_a_stage_is_a_days_before_the_due_day_the_day_and_every_week_after():
    day = date(2026, 12, 10)
    stages = {n: due.stage(day, day + timedelta(days=n), (7, 1), 7) for n in range(-9, 17)}
    assert stages[-9] is None and stages[-8] is None
    assert stages[-7] == stages[-2] == day - timedelta(days=7)
    assert stages[-1] == day - timedelta(days=1) and stages[0] == day
    assert stages[1] == stages[7] == day + timedelta(days=1)
    assert stages[8] == stages[14] == day + timedelta(days=8) and stages[15] == day + timedelta(15)
    assert due.stage(day, day + timedelta(days=3), (7, 1), 7, overdue=False) == day


def test_a_vendor_gets_the_workbook_then_reminders_before_and_after_the_due_day(app, app_ctx,
                                                                                 smtp):
    bank.seed()
    vendor = f.make_consignee(name="Northwind Cloud", country="US", contact_name="Jane Doe",
                              contact_email="jane@northwind.example", risk_tier="high")
    f.make_entrustment(consignee=vendor)
    questionnaire = issuance.issue(vendor, due_on=today() + timedelta(days=10), language="en")
    db.session.commit()

    assert run(app).exit_code == 0
    [sent] = smtp.inbox.to("jane@northwind.example")
    assert sent["Subject"] == (f"Supervision questionnaire {questionnaire.reference}: answers "
                               f"due {questionnaire.due_on.isoformat()}")
    [attachment] = list(sent.iter_attachments())
    assert attachment.get_filename().startswith(questionnaire.reference)
    book = openpyxl.load_workbook(io.BytesIO(attachment.get_content()), read_only=True)
    assert any(questionnaire.reference in str(cell) for sheet in book.worksheets
               for row in sheet.iter_rows(values_only=True) for cell in row if cell)

    def on(days: int) -> list[str]:
        mails = [m for m in remind.plan(questionnaire.due_on + timedelta(days=days))
                 if m.to.address == "jane@northwind.example"]
        remind.send(mails, questionnaire.due_on + timedelta(days=days))
        return [m.kind for m in mails]

    assert on(-8) == []
    assert on(-7) == ["questionnaire-reminder"] and on(-6) == []
    assert on(-1) == ["questionnaire-reminder"]
    assert on(1) == ["questionnaire-overdue"] and on(3) == []
    assert on(8) == ["questionnaire-overdue"]
    last = smtp.inbox.to("jane@northwind.example")[-1]
    assert "8 day(s) ago" in last.get_body(("plain",)).get_content()
    assert len(list(last.iter_attachments())) == 1
    logged = db.session.scalars(db.select(Mail).where(Mail.recipient == "jane@northwind.example")
                                .order_by(Mail.id)).all()
    assert [m.kind for m in logged] == ["questionnaire-sent", "questionnaire-reminder",
                                        "questionnaire-reminder", "questionnaire-overdue",
                                        "questionnaire-overdue"]
    assert all(m.status is MailStatus.SENT for m in logged)


def test_without_a_mail_server_the_command_says_so(app, app_ctx):
    result = run(app)
    assert result.exit_code == 2 and "REGISTRY_SMTP_URL" in result.output


@pytest.mark.parametrize("tls", ["starttls", "smtps"])
def test_tls_and_a_login(app, app_ctx, tls, tmp_path, monkeypatch):
    server = Server(tls, tmp_path, monkeypatch)
    try:
        app.config.update(SMTP_URL=server.url, MAIL_FROM="privacy@example.co.jp",
                          COMPLIANCE_OFFICER=("officer@example.co.jp",))
        result = run(app)
        assert result.exit_code == 0, result.output
        assert len(server.inbox.to("officer@example.co.jp")) == 1

        app.config["SMTP_URL"] = server.url.replace(":s3cret@", ":wrong@")
        db.session.execute(db.delete(Mail))
        db.session.commit()
        refused = run(app)
        assert refused.exit_code == 2 and "535" in refused.output
        assert db.session.scalar(db.select(db.func.count(Mail.id))) == 0
    finally:
        server.stop()
        app.config.update(SMTP_URL="", MAIL_FROM="", COMPLIANCE_OFFICER=())


def test_a_password_never_crosses_without_tls(app, app_ctx, smtp):
    app.config["SMTP_URL"] = smtp.url.replace("smtp://", "smtp://registry:s3cret@")
    result = run(app)
    assert result.exit_code == 2 and "offers no STARTTLS" in result.output
    assert smtp.inbox.mails == []


def test_a_second_run_while_one_is_sending_sends_nothing(app, app_ctx, smtp):
    things(app_ctx)
    with remind.one_run():
        result = run(app)
    assert result.exit_code == 3 and "Another `registry remind` is sending" in result.output
    assert smtp.inbox.mails == []
    assert run(app).exit_code == 0 and len(smtp.inbox.mails) == 3, "the lock is given back"


@pytest.mark.slow
@pytest.mark.own_database
def test_the_command_as_a_scheduler_runs_it(scratch_url, tmp_path):
    """`registry remind` in a process of its own, set up by its environment as a scheduler
    starts it, on the example inventory: the digest arrives once; a dry run needs no server."""
    server = Server()
    env = {**os.environ, "REGISTRY_DATABASE_URL": scratch_url, "REGISTRY_SECRET_KEY": "cli-test",
           "REGISTRY_COMPLIANCE_OFFICER": "officer@example.co.jp"}
    try:
        assert served.run(env, "init").returncode == 0
        assert served.run(env, "demo").returncode == 0
        dry = served.run(env, "remind", "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert "To officer@example.co.jp (weekly-digest)" in dry.stdout
        assert served.run(env, "remind").returncode == 2, "no server set"
        env.update(REGISTRY_SMTP_URL=server.url, REGISTRY_MAIL_FROM="privacy@example.co.jp")
        sent = served.run(env, "remind")
        assert sent.returncode == 0, sent.stderr
        [digest] = server.inbox.to("officer@example.co.jp")
        assert "Emerald Data Operations" in digest.get_content(), "its check is overdue"
        again = served.run(env, "remind")
        assert again.returncode == 0 and "0 mail(s) sent." in again.stdout
        assert len(server.inbox.mails) == len(sent.stdout.splitlines()) - 1
    finally:
        server.stop()


def test_issuing_says_the_workbook_will_be_mailed_when_it_will(app, app_ctx, as_role, smtp):
    bank.seed()
    mailed = f.make_consignee(name="Mailed Inc.", contact_email="it@mailed.example")
    unmailed = f.make_consignee(name="Unmailed Inc.")
    db.session.commit()
    editor = as_role("editor")
    for consignee, said in ((mailed, "sends its workbook to it@mailed.example"),
                            (unmailed, "download its workbook below")):
        form_url = f"/consignees/{consignee.id}/questionnaire"
        response = editor.post(form_url, {"due_on": (today() + timedelta(days=14)).isoformat(),
                                          "language": "en"}, form_url=form_url)
        assert response.status_code == 302
        assert said in editor.get(response.location).get_data(as_text=True)
