"""The words of each kind of mail, in Japanese and English: the shipped templates, or an
administrator's (MailTemplate), rendered in a sandbox so that an edited template can read the
mail's values and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import sqlalchemy as sa
from flask_babel import gettext
from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment

from registry.core import audit
from registry.core.i18n import Label
from registry.core.models import AuditAction
from registry.extensions import db
from registry.mail.models import MailTemplate

LANGUAGES = ("ja", "en")
#: what each item of a list (`items`, a section's `items`, `unowned`) has
ITEM_FIELDS = ("what", "reference", "subject", "due_on", "state", "overdue", "url")
COMMON = {"company", "today", "registry_url", "recipient"}


@dataclass(frozen=True)
class Kind:
    """A kind of mail: its name, the values its template may use, and the shipped wording."""

    code: str
    label: Label
    variables: frozenset[str]
    shipped: dict[str, tuple[str, str]]


_ITEM_LINES = {
    "en": ("{% for item in items %}- {{ item.what }} {{ item.reference }}: {{ item.subject }}\n"
           "  {{ item.state }} (due {{ item.due_on }})\n"
           "{% if item.url %}  {{ item.url }}\n{% endif %}{% endfor %}"),
    "ja": ("{% for item in items %}・{{ item.what }} {{ item.reference }}：{{ item.subject }}\n"
           "  {{ item.state }}（期限 {{ item.due_on }}）\n"
           "{% if item.url %}  {{ item.url }}\n{% endif %}{% endfor %}"),
}

_LISTED = {
    "en": "{% for item in unowned %}- {{ item.what }} {{ item.reference }} (due {{ item.due_on }})\n"
          "{% endfor %}",
    "ja": "{% for item in unowned %}・{{ item.what }} {{ item.reference }}（期限 {{ item.due_on }}）\n"
          "{% endfor %}",
}

_VENDOR = {"consignee", "contact_name", "reference", "issued_on", "due_on", "days"}
_GREETING = {"en": "Dear {{ contact_name or consignee }},\n\n",
             "ja": "{{ consignee }}\n{{ contact_name }} 様\n\n"}
_SIGNATURE = "{% if company %}\n{{ company }}\n{% endif %}"


def _to_vendor(code: str, label: Label, en: tuple[str, str], ja: tuple[str, str]) -> Kind:
    """A mail to a vendor: its subject and text in each language, greeting and signature
    added."""
    return Kind(code, label, frozenset(COMMON | _VENDOR), {
        language: (subject, _GREETING[language] + text + _SIGNATURE)
        for language, (subject, text) in (("en", en), ("ja", ja))})


KINDS = {kind.code: kind for kind in (
    Kind("owner-reminder", Label("Reminder to an owner", "担当者へのリマインダー"),
         frozenset(COMMON | {"items"}), {
             "en": ("[Registry] {{ items|length }} item(s) of yours due or overdue",
                    "Dear {{ recipient }},\n\n"
                    "These items in {{ company or 'the' }} personal information registry are yours, "
                    "and they fall due soon or are overdue:\n\n" + _ITEM_LINES["en"] +
                    "\nYou receive this because you are named as their owner.\n"),
             "ja": ("【個人情報管理台帳】担当事項の期限のお知らせ（{{ items|length }}件）",
                    "{{ recipient }} 様\n\n"
                    "{{ company }}個人情報管理台帳で担当者となっている次の事項の期限が近づいているか、"
                    "期限を過ぎています。\n\n" + _ITEM_LINES["ja"] +
                    "\n担当者として登録されているため、このメールをお送りしています。\n"),
         }),
    Kind("weekly-digest", Label("Weekly digest to the compliance officer",
                                "個人情報保護管理者への週次まとめ"),
         frozenset(COMMON | {"sections", "unowned"}), {
             "en": ("[Registry] Weekly digest, {{ today }}",
                    "Dear {{ recipient }},\n\nWhat falls due in the registry, as of {{ today }}:\n"
                    "{% for section in sections %}\n{{ section.title }}: {{ section.items|length }}\n"
                    "{% set items = section.items %}" + _ITEM_LINES["en"] + "{% endfor %}"
                    "{% if unowned %}\nNobody could be reminded of these (no owner, or an owner "
                    "with no e-mail address):\n" + _LISTED["en"] +
                    "{% endif %}{% if not sections %}\nNothing falls due.\n{% endif %}"),
             "ja": ("【個人情報管理台帳】週次まとめ（{{ today }}）",
                    "{{ recipient }} 様\n\n{{ today }} 時点で期限が近い事項・期限を過ぎた事項です。\n"
                    "{% for section in sections %}\n■ {{ section.title }}：{{ section.items|length }}件\n"
                    "{% set items = section.items %}" + _ITEM_LINES["ja"] + "{% endfor %}"
                    "{% if unowned %}\n次の事項は担当者が未登録か、担当者のメールアドレスがないため、"
                    "リマインダーを送れませんでした。\n" + _LISTED["ja"]
                    + "{% endif %}{% if not sections %}\n期限が近い事項はありません。\n{% endif %}"),
         }),
    _to_vendor("questionnaire-sent", Label("Questionnaire to a vendor", "委託先への確認書送付"),
               ("Supervision questionnaire {{ reference }}: answers due {{ due_on }}",
                "Please answer the attached supervision questionnaire {{ reference }} about your "
                "handling of the personal data we entrust to you, and return the filled-in "
                "workbook by {{ due_on }}.\n\nPlease keep the workbook's sheets and columns as "
                "they are, and answer in the yellow cells.\n"),
               ("委託先点検の確認書 {{ reference }}（回答期限 {{ due_on }}）",
                "個人データの取扱いの委託に関する点検のため、添付の確認書 {{ reference }} にご回答の"
                "うえ、{{ due_on }} までにご返送ください。\n\n"
                "シートや列の構成は変更せず、黄色のセルにご記入ください。\n")),
    _to_vendor("questionnaire-reminder", Label("Reminder to a vendor before the due day",
                                               "委託先への回答期限前のリマインダー"),
               ("Reminder: questionnaire {{ reference }} is due {{ due_on }}",
                "The answers to supervision questionnaire {{ reference }} are due on "
                "{{ due_on }}{% if days %}, in {{ days }} day(s){% endif %}. The workbook is "
                "attached again for your convenience.\n"),
               ("【ご確認】確認書 {{ reference }} の回答期限（{{ due_on }}）",
                "確認書 {{ reference }} の回答期限は {{ due_on }} です"
                "{% if days %}（あと{{ days }}日）{% endif %}。念のため確認書を再度添付します。\n")),
    _to_vendor("questionnaire-overdue", Label("Reminder to a vendor after the due day",
                                              "委託先への回答期限後の督促"),
               ("Overdue: questionnaire {{ reference }} was due {{ due_on }}",
                "We have not yet received your answers to supervision questionnaire "
                "{{ reference }}, due on {{ due_on }} ({{ days }} day(s) ago). Please return the "
                "attached workbook filled in as soon as you can.\n"),
               ("【再送】確認書 {{ reference }} のご回答のお願い（期限 {{ due_on }}）",
                "確認書 {{ reference }} のご回答を {{ due_on }} の期限（{{ days }}日前）を過ぎても"
                "まだ受け取っておりません。添付の確認書にご記入のうえ、至急ご返送ください。\n")),
)}

_ENVIRONMENT = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                    keep_trailing_newline=True)


def current(kind: str, language: str) -> tuple[str, str, MailTemplate | None]:
    """The subject and body template in force, and the administrator's edit if there is one."""
    edited = db.session.scalar(sa.select(MailTemplate).where(
        MailTemplate.kind == kind, MailTemplate.language == language))
    if edited is not None:
        return edited.subject, edited.body, edited
    return *KINDS[kind].shipped[language], None


def render(kind: str, language: str, values: dict) -> tuple[str, str]:
    """The subject (one line) and the body of a mail."""
    subject, body, _ = current(kind, language)
    return _render(subject, body, values)


def _render(subject: str, body: str, values: dict) -> tuple[str, str]:
    subject = _ENVIRONMENT.from_string(subject).render(values)
    return " ".join(subject.split()), _ENVIRONMENT.from_string(body).render(values)


def preview(kind: str, language: str) -> tuple[str, str]:
    """The wording in force with example values."""
    subject, body, _ = current(kind, language)
    return _render(subject, body, example(kind, language))


def trial(kind: str, language: str, subject: str, body: str) -> dict[str, str]:
    """What goes wrong when a wording meets example values (an attribute a value lacks, what
    the sandbox refuses), by field; empty when nothing does."""
    values = example(kind, language)
    found = {}
    for field, text in (("subject", subject), ("body", body)):
        try:
            _ENVIRONMENT.from_string(text).render(values)
        except (TemplateError, TypeError, ValueError) as error:
            found[field] = gettext("With example values: %(error)s", error=str(error))
    return found


def example(kind: str, language: str) -> dict:
    """Values like a real mail's, for the preview and the trial of a wording."""
    ja = language == "ja"
    item = {"what": "指摘事項" if ja else "Finding", "reference": "FND-0001",
            "subject": "アクセスログの保存期間が不足" if ja else "Access logs kept too briefly",
            "due_on": "2026-12-10", "state": "あと3日" if ja else "due in 3 days",
            "overdue": False, "url": "https://registry.example.co.jp/findings/1"}
    values = {"company": "株式会社サンプル" if ja else "Example K.K.", "today": "2026-12-07",
              "registry_url": "https://registry.example.co.jp",
              "recipient": "yamada" if ja else "yamada@example.co.jp", "items": [item],
              "sections": [SimpleNamespace(title=item["what"], items=[item])], "unowned": [item],
              "consignee": "Northwind Cloud Inc.", "contact_name": "Jane Doe",
              "reference": "QNR-20261201-0001", "issued_on": "2026-12-01",
              "due_on": "2026-12-15", "days": 8}
    return {name: values[name] for name in KINDS[kind].variables}


def problems(kind: str, subject: str, body: str) -> dict[str, str]:
    """What is wrong with an administrator's template, by field: a syntax error (with its
    line), or a value the mail does not have."""
    found = {}
    for field, text in (("subject", subject), ("body", body)):
        try:
            names = meta.find_undeclared_variables(_ENVIRONMENT.parse(text))
        except TemplateError as error:
            found[field] = gettext("Line %(line)s: %(error)s",
                                   line=getattr(error, "lineno", "?"), error=error.message)
            continue
        unknown = sorted(names - KINDS[kind].variables)
        if unknown:
            found[field] = gettext("This mail has no value named %(names)s; it has %(known)s.",
                                   names=", ".join(unknown),
                                   known=", ".join(sorted(KINDS[kind].variables)))
    return found


def save(kind: str, language: str, subject: str, body: str) -> MailTemplate:
    """Keep an administrator's wording (checked by `problems` first), in the audit log."""
    _, _, edited = current(kind, language)
    before = {} if edited is None else {"subject": edited.subject, "body": edited.body}
    if edited is None:
        edited = MailTemplate(kind=kind, language=language)
        db.session.add(edited)
    edited.subject, edited.body, edited.updated_by = subject, body, audit.current_actor()
    db.session.flush()
    audit.record(AuditAction.UPDATE if before else AuditAction.CREATE, edited,
                 audit.diff(before, {"subject": subject, "body": body}))
    return edited


def restore(kind: str, language: str) -> None:
    """Go back to the shipped wording."""
    _, _, edited = current(kind, language)
    if edited is not None:
        audit.record(AuditAction.DELETE, edited,
                     audit.diff({"subject": edited.subject, "body": edited.body}, {}))
        db.session.delete(edited)
