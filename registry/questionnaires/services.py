"""Services of the question bank: add a question, reword it (a new version), retire it."""

from __future__ import annotations

import sqlalchemy as sa

from registry.core import records
from registry.extensions import db
from registry.questionnaires.models import Question, QuestionVersion

WORDING = ("text_ja", "text_en")


def create_question(model: type[Question], values: dict) -> Question:
    """Add a question with its first version."""
    question = records.create(model, {**values, "version": 1})
    db.session.add(QuestionVersion(question=question, version=1, text_ja=question.text_ja,
                                   text_en=question.text_en))
    db.session.flush()
    return question


def update_question(question: Question, values: dict) -> dict:
    """Change a question; a new wording becomes a new version, old answers keep the old one."""
    reworded = any(values.get(k, getattr(question, k)) != getattr(question, k) for k in WORDING)
    if reworded:
        values = {**values, "version": question.version + 1}
    changes = records.update(question, values)
    if reworded:
        db.session.add(QuestionVersion(question=question, version=question.version,
                                       text_ja=question.text_ja, text_en=question.text_en))
        db.session.flush()
    return changes


def bank_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0
