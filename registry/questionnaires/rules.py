"""What a valid question of the bank is (administrators alone change the bank), and what a
valid issue of a questionnaire is."""

from __future__ import annotations

from datetime import date

from registry.core.i18n import Label
from registry.core.i18n import lazy_gettext as _l
from registry.core.models import Role
from registry.core.schema import Description, Problem
from registry.questionnaires.models import Question

QUESTIONS = Description(
    Question, key=("code",), singular=Label("Question", "質問"), plural=Label("Question bank", "質問集"),
    sheet=False, change_role=Role.ADMIN, order_by=(Question.code,))


def issue_problems(issued_on: date, due_on: date) -> list[Problem]:
    """What is wrong with issuing a questionnaire on a day with the answers due on another."""
    if due_on <= issued_on:
        return [Problem("due_on", _l("The answers are due after the day of issue (%(day)s).",
                                     day=issued_on.isoformat()))]
    return []
