"""Administrators edit the mails' words: a template that would fail is refused with the line or
the value at fault, a saved one is in the audit log and in the next mail, and the shipped one
comes back on request."""

from __future__ import annotations

import pytest

from registry import config
from registry.core.models import AuditEntry
from registry.extensions import db
from registry.mail import wording
from registry.mail.models import MailTemplate
from tests.mail.test_remind import run, smtp, things  # noqa: F401 - the fixture

URL = "/mail/templates/owner-reminder/en"


def test_only_administrators_edit_the_templates(as_role):
    assert as_role("editor").get(URL).status_code == 403
    assert as_role("editor").get("/mail/templates/").status_code == 403
    assert as_role("viewer").get("/mail/").status_code == 200
    assert as_role("admin").get("/mail/templates/nothing/en").status_code == 404


@pytest.mark.parametrize(("body", "message"), [
    ("Dear {{ recipient }\n", "Line 1"),
    ("{{ password }}\n", "no value named password"),
    ("{{ items.__class__.__mro__ }}\n", "With example values"),
    ("{% for item in items %}{{ item.nothing }}{% endfor %}\n", "With example values"),
])
def test_a_template_that_would_fail_is_refused(as_role, body, message):
    admin = as_role("admin")
    response = admin.post(URL, {"subject": "Due", "body": body}, form_url=URL)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(MailTemplate.id))) == 0


def test_a_saved_template_writes_the_next_mails_and_the_shipped_one_comes_back(
        app, app_ctx, as_role, smtp):  # noqa: F811
    admin = as_role("admin")
    response = admin.post(URL, {"subject": "{{ items|length }} things for {{ recipient }}",
                                "body": "{% for item in items %}* {{ item.reference }}\n"
                                        "{% endfor %}"}, form_url=URL)
    assert response.status_code == 302
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.entity == "mail_templates"))
    assert entry.actor == "admin1" and entry.changes["subject"][1].startswith("{{ items")
    page = admin.get(URL).get_data(as_text=True)
    assert "1 things for yamada@example.co.jp" in page, "the preview"

    things(app_ctx)
    assert run(app).exit_code == 0
    [mail] = smtp.inbox.to("suzuki@example.co.jp")
    assert mail["Subject"] == "2 things for suzuki"
    assert mail.get_content().splitlines() == ["* FND-SOON", "* CON-END"], "soonest first"

    admin.post(f"{URL}/restore", {}, form_url=URL)
    assert wording.current("owner-reminder", "en")[2] is None


@pytest.mark.parametrize(("env", "message"), [
    ({"REGISTRY_SMTP_URL": "http://mail.example"}, "smtp:// or smtps://"),
    ({"REGISTRY_SMTP_URL": "smtp://mail.example:587"}, "REGISTRY_MAIL_FROM"),
    ({"REGISTRY_SMTP_URL": "smtp://:587", "REGISTRY_MAIL_FROM": "a@b.jp"}, "names no server"),
    ({"REGISTRY_REMIND_BEFORE_DAYS": "7,soon"}, "REGISTRY_REMIND_BEFORE_DAYS"),
    ({"REGISTRY_REMIND_EVERY_DAYS": "0"}, "REGISTRY_REMIND_EVERY_DAYS"),
    ({"REGISTRY_MAIL_LANGUAGE": "fr"}, "REGISTRY_MAIL_LANGUAGE"),
    ({"REGISTRY_BASE_URL": "registry.example"}, "REGISTRY_BASE_URL"),
])
def test_mail_settings_are_checked_at_start(env, message):
    with pytest.raises(ValueError, match=message):
        config._mail(env)


def test_the_example_values_are_the_mails_values():
    """The preview and the trial use what a real mail has, no more and no less."""
    for kind in wording.KINDS.values():
        for language in wording.LANGUAGES:
            assert set(wording.example(kind.code, language)) == kind.variables
    item = wording.example("owner-reminder", "en")["items"][0]
    assert tuple(item) == wording.ITEM_FIELDS
