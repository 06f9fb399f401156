"""What a finding opened by a failing answer says: the question's code and the answer are stored,
and the finding reads with the question's wording and the answer in the reader's language."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import g, has_request_context

from registry.core.i18n import Label
from registry.extensions import db
from registry.questionnaires.models import ANSWER_WORDS, Question, answer_text

#: "TEC-04 — 30 (comment)"; before, the Japanese wording stood after the code ("TEC-04: … — no")
STORED = re.compile(r"(?P<code>[A-Z][A-Z0-9]*-\d+)(?:: .*?)? — (?P<answer>.*)", re.S)


def stored(code: str, answer: str, comment: str) -> str:
    """The description a failing answer's finding keeps: the code and answer, in no language."""
    return f"{code} — {answer}" + (f" ({comment})" if comment else "")


def reads(description: str) -> str:
    """A finding's description as the reader reads it: for one a failing answer opened (and no
    one rewrote), the question's code, wording and the answer in their language."""
    found = STORED.fullmatch(description or "")
    wording = _wordings().get(found["code"]) if found else None
    if wording is None:
        return description
    answer = found["answer"]
    word = next((w for w in ANSWER_WORDS if answer == w or answer.startswith(f"{w} (")), None)
    if word is not None:
        answer = f"{answer_text(word)}{answer[len(word):]}"
    return f"{found['code']}: {wording} — {answer}"


def _wordings() -> dict[str, Label]:
    """Each question's current wording by code, read once a request."""
    if has_request_context() and "question_wordings" in g:
        return g.question_wordings
    wordings = {code: Label(en, ja) for code, en, ja in db.session.execute(
        sa.select(Question.code, Question.text_en, Question.text_ja))}
    if has_request_context():
        g.question_wordings = wordings
    return wordings
