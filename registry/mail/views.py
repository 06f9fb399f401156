"""The mail pages: the log of what was sent, the mails about a record (on its page), and the
administrators' templates."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from registry.core.auth import role_required
from registry.core.entity import logged
from registry.core.fields import Form, strip
from registry.core.i18n import lazy_gettext as _l
from registry.core.models import Role
from registry.core.web import paginate
from registry.extensions import db
from registry.mail import due, wording
from registry.mail.models import Mail, MailStatus, MailTemplate, MailTopic

bp = Blueprint("mail", __name__, url_prefix="/mail")
logged("mail_templates", _l("Mail template"), subject=_l("Subject"), body=_l("Body"))
#: how many mails a record's page lists, the newest first
SHOWN = 20


@bp.app_template_global()
def mails_about(record: object) -> list[tuple[Mail, str]] | None:
    """The mails that reminded of the record (with the reminder each gave), newest first; None
    for a kind of record mails are never about."""
    table = getattr(record, "__tablename__", None)
    if table not in due.MODELS:
        return None
    return db.session.execute(
        sa.select(Mail, MailTopic.topic).join(MailTopic, MailTopic.mail_id == Mail.id)
        .where(MailTopic.record_type == table, MailTopic.record_id == record.id)
        .order_by(Mail.sent_at.desc(), Mail.id.desc()).limit(SHOWN)).all()


@bp.route("/")
def log():
    """Every mail sent or refused, newest first, with what it was about."""
    chosen = []
    if request.args.get("status") in {s.value for s in MailStatus}:
        chosen.append(Mail.status == request.args["status"])
    if request.args.get("to"):
        chosen.append(Mail.recipient == request.args["to"].strip().lower()[:254])
    page = paginate(sa.select(Mail).where(*chosen).order_by(Mail.sent_at.desc(), Mail.id.desc())
                    .options(sa.orm.selectinload(Mail.topics)))
    return render_template("mail/log.html", page=page, statuses=list(MailStatus),
                           kinds=wording.KINDS)


class TemplateForm(Form):
    subject = StringField(_l("Subject"), validators=[InputRequired(), Length(max=255)],
                          filters=[strip])
    body = TextAreaField(_l("Body"), validators=[InputRequired(), Length(max=20000)],
                         filters=[lambda text: text.replace("\r\n", "\n") if text else text])


@bp.route("/templates/")
@role_required(Role.ADMIN)
def templates():
    edited = {(t.kind, t.language): t for t in db.session.scalars(sa.select(MailTemplate))}
    return render_template("mail/templates.html", kinds=wording.KINDS.values(),
                           languages=wording.LANGUAGES, edited=edited)


@bp.route("/templates/<kind>/<language>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def template(kind: str, language: str):
    """Edit one kind of mail in one language; the preview shows it with example values."""
    if kind not in wording.KINDS or language not in wording.LANGUAGES:
        abort(404)
    subject, body, edited = wording.current(kind, language)
    form = TemplateForm(data={"subject": subject, "body": body})
    if form.validate_on_submit():
        problems = wording.problems(kind, form.subject.data, form.body.data)
        if not problems:
            problems = _preview_problems(kind, language, form.subject.data, form.body.data)
        for name, message in problems.items():
            form[name].errors.append(message)
        if not problems:
            wording.save(kind, language, form.subject.data, form.body.data)
            db.session.commit()
            flash(gettext("The template was saved: the next mails use it."), "success")
            return redirect(url_for("mail.template", kind=kind, language=language))
    preview = None if form.errors else wording.preview(kind, language)
    return render_template("mail/template.html", form=form, kind=wording.KINDS[kind],
                           item_fields=wording.ITEM_FIELDS,
                           language=language, edited=edited, preview=preview,
                           restore=FlaskForm()), 422 if form.errors else 200


@bp.route("/templates/<kind>/<language>/restore", methods=["POST"])
@role_required(Role.ADMIN)
def restore(kind: str, language: str):
    if kind not in wording.KINDS or language not in wording.LANGUAGES:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    wording.restore(kind, language)
    db.session.commit()
    flash(gettext("The shipped wording is back."), "success")
    return redirect(url_for("mail.template", kind=kind, language=language))


def _preview_problems(kind: str, language: str, subject: str, body: str) -> dict[str, str]:
    """Render the wording with example values: an error a parse cannot see (a value's missing
    attribute, a filter the sandbox refuses) is refused here, before any mail meets it."""
    with force_locale(language):
        return wording.trial(kind, language, subject, body)


TOPICS = {"finding": _l("Finding due"), "check": _l("Supervision check due"),
          "contract": _l("Contract ending"), "questionnaire": _l("Questionnaire not returned"),
          "incident": _l("Incident's deadline"), "request": _l("Request's deadline"),
          "vendor": _l("Reminder to the vendor"), "vendor-sent": _l("Workbook sent to the vendor")}


@bp.app_template_filter()
def mail_topic(topic: str) -> str:
    """A reminder as people read it: "Finding due (stage of 2026-12-10)"."""
    head, _, day = topic.partition(":")
    label = TOPICS.get(head) or TOPICS.get(head.split("-")[0], head)
    return gettext("%(what)s, stage of %(day)s", what=label, day=day) if day else str(label)


@bp.app_template_filter()
def mail_kind(kind: str) -> str:
    return str(wording.KINDS[kind].label) if kind in wording.KINDS else kind
