"""What a valid question of the bank is: administrators alone change the bank."""

from __future__ import annotations

from registry.core.i18n import Label
from registry.core.models import Role
from registry.core.schema import Description
from registry.questionnaires.models import Question

QUESTIONS = Description(
    Question, key=("code",), singular=Label("Question", "質問"), plural=Label("Question bank", "質問集"),
    sheet=False, change_role=Role.ADMIN, order_by=(Question.code,))
