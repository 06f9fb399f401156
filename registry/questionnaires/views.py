"""Pages of the question bank (admins change it; everyone who logs in reads it), issuing
and receiving questionnaires, and the questionnaires issued to consignees."""


import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from registry.consignees.models import Consignee
from registry.core import clock
from registry.core.auth import role_required
from registry.core.entity import Column, Dependent, Entity, Filter, logged
from registry.core.i18n import lazy_gettext as _l
from registry.core.models import Role
from registry.core.schema import Invalid
from registry.core.web import DETAIL_ENDPOINTS
from registry.exchange import uploads
from registry.exchange.responses import send_workbook
from registry.extensions import db
from registry.questionnaires import issuance, returned, workbook
from registry.questionnaires.forms import IssueForm, ReturnedForm
from registry.questionnaires.models import (
    Answer,
    Audience,
    Question,
    QuestionArea,
    QuestionKind,
    Questionnaire,
    QuestionStatus,
    QuestionVersion,
    WorkbookLanguage,
    answer_text,
)
from registry.questionnaires.rules import QUESTIONS
from registry.questionnaires.services import create_question, update_question
from registry.supervision.models import Severity, SupervisionCheck

bp = Blueprint("questionnaires", __name__)
bp.add_app_template_global(answer_text)
logged("questionnaires", _l("Questionnaire"), reference=_l("Questionnaire"),
       consignee=_l("Consignee"), issued_on=_l("Issued on"), due_on=_l("Answer by"),
       issued_by=_l("Issued by"), status=_l("Status"), language=_l("Language"))

questions = Entity(
    name="questions",
    description=QUESTIONS,
    columns=[
        Column("code", Question.code, link=True),
        Column("area", Question.area),
        Column("kind", Question.kind),
        Column("wording", Question.text_ja, label=_l("Question")),
        Column("severity", Question.severity),
        Column("audience", Question.audience),
        Column("version", Question.version, label=_l("Version")),
        Column("status", Question.status),
    ],
    search=(Question.code, Question.text_ja, Question.text_en),
    filters=(
        Filter.on(Question.area, "area", _l("Area"), QuestionArea.choices),
        Filter.on(Question.kind, "kind", _l("Kind of question"), QuestionKind.choices),
        Filter.on(Question.severity, "severity", _l("Severity"), Severity.choices),
        Filter.on(Question.audience, "audience", _l("Asked of"), Audience.choices),
        Filter.on(Question.status, "status", _l("Status"), QuestionStatus.choices),
    ),
    default_sort="code",
    dependents=(
        Dependent(_l("Wordings kept for the answers given (retire the question instead)"),
                  QuestionVersion, lambda q: QuestionVersion.question_id == q.id),
    ),
    detail_template="questionnaires/question_detail.html",
    detail_context=lambda q: {"versions": list(q.versions)},
    create=create_question,
    update=update_question,
)
questions.register(bp)


@bp.route("/questionnaires/<int:id>")
def questionnaire_detail(id: int):
    """A questionnaire: to whom and when it was sent, the check its answers were recorded in,
    and the files attached to it."""
    questionnaire = db.get_or_404(Questionnaire, id)
    check = db.session.scalar(sa.select(SupervisionCheck).join(
        Answer, Answer.check_id == SupervisionCheck.id)
        .where(Answer.questionnaire_id == questionnaire.id).limit(1))
    return render_template("questionnaires/questionnaire_detail.html", obj=questionnaire,
                           check=check)


DETAIL_ENDPOINTS[Questionnaire] = "questionnaires.questionnaire_detail"


@bp.route("/consignees/<int:id>/questionnaire", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def issue_questionnaire(id: int):
    """Issue a questionnaire to the consignee: choose when the answers are due and the
    workbook's language; the consignee page then lists it with its workbook to download."""
    consignee = db.get_or_404(Consignee, id)
    form = IssueForm()
    if request.method == "GET":
        form.due_on.data = issuance.default_due_on(consignee, clock.today())
        form.language.data = WorkbookLanguage.BOTH
    if form.validate_on_submit():
        try:
            issued = issuance.issue(consignee, due_on=form.due_on.data,
                                    language=form.language.data)
        except Invalid as invalid:
            db.session.rollback()
            form.refuse(invalid.problems)
        else:
            db.session.commit()
            if current_app.config["SMTP_URL"] and consignee.contact_email:
                how = gettext("the next e-mail reminder run (registry remind) sends its workbook "
                              "to %(address)s.", address=consignee.contact_email)
            else:
                how = gettext("download its workbook below and send it.")
            flash(gettext("Questionnaire %(reference)s was issued to %(consignee)s, answers due on "
                          "%(due)s: %(how)s", reference=issued.reference,
                          consignee=consignee.name, due=issued.due_on.isoformat(), how=how),
                  "success")
            return redirect(url_for("consignees.consignees_detail", id=consignee.id,
                                    _anchor="questionnaires"))
    today = clock.today()
    return render_template(
        "questionnaires/issue.html", form=form, consignee=consignee,
        count=len(issuance.relevant_versions(consignee)),
        days=(issuance.default_due_on(consignee, today) - today).days,
    ), 422 if form.errors else 200


@bp.route("/questionnaires/<int:id>/workbook")
def questionnaire_workbook(id: int):
    """The workbook of an issued questionnaire, named for its reference and consignee."""
    questionnaire = db.get_or_404(Questionnaire, id)
    return send_workbook(lambda path: workbook.write(questionnaire, path),
                         workbook.filename(questionnaire))


@bp.route("/consignees/<int:id>/questionnaire/import", methods=["POST"])
@role_required(Role.EDITOR)
@uploads.receives_workbooks
def upload_returned(id: int):
    """Receive a returned questionnaire for this consignee and show what it says."""
    consignee = db.get_or_404(Consignee, id)
    return uploads.received(ReturnedForm(), "workbook",
                            {"kind": returned.QUESTIONNAIRE, "consignee_id": consignee.id},
                            gettext("Choose the returned questionnaire (.xlsx)."),
                            url_for("consignees.consignees_detail", id=consignee.id))
