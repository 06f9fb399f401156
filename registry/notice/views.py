"""The Notice page: the public notice as the registry writes it, its downloads, and the
comparison with a published privacy policy uploaded as text."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from registry.core.i18n import language
from registry.core.i18n import lazy_gettext as _l
from registry.notice import content, document, drift, policy

bp = Blueprint("notice", __name__)
bp.add_app_template_filter(document.md, "md")

LANGUAGES = [("ja", "日本語"), ("en", "English")]
TYPES = {".html": "text/html; charset=utf-8", ".md": "text/markdown; charset=utf-8"}


class CompareForm(FlaskForm):
    policy = FileField(_l("Published privacy policy (text file)"), validators=[FileRequired()])


@bp.route("/notice", methods=["GET", "POST"])
def page():
    """The notice in the reader's language; with a policy uploaded, what drifted."""
    facts = content.build()
    form = CompareForm()
    found, problem = None, None
    if request.method == "POST" and form.validate_on_submit():
        try:
            found = drift.compare(facts, policy.decode(form.policy.data.read(policy.MAX_BYTES + 1)))
        except policy.Unreadable as error:
            problem = str(error)
    return render_template("notice/page.html", notice=facts, language=language(), form=form,
                           found=found, problem=problem, unset=document.unset(facts),
                           languages=LANGUAGES), 400 if form.errors or problem else 200


@bp.route("/notice<any('.html', '.md'):suffix>")
def download(suffix: str):
    """The notice as a document to publish, in the language asked for (Japanese by default)."""
    chosen = request.args.get("language", "ja")
    chosen = chosen if chosen in dict(LANGUAGES) else "ja"
    text = document.render(content.build(), suffix, chosen)
    return Response(text, headers={"Content-Type": TYPES[suffix], "Content-Disposition":
                                   f'attachment; filename="notice-{chosen}{suffix}"'})
