"""The home page, login and logout, the language switch, user management and the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, gettext
from flask_login import current_user
from markupsafe import Markup

from registry.core import auth, lockouts, sso, transactions, users
from registry.core.auth import role_required
from registry.core.entity import (
    field_label,
    field_language,
    kind_label,
    logged,
    logged_record,
    logged_tables,
    logged_value,
)
from registry.core.forms import LanguageForm, LoginForm, UserCreateForm, UserEditForm
from registry.core.i18n import lazy_gettext as _l
from registry.core.models import AuditAction, AuditEntry, Language, Role, User
from registry.core.web import local_path, paginate
from registry.extensions import db
from registry.reporting import dashboard

bp = Blueprint("core", __name__)
for function in (field_label, field_language, kind_label, logged_record, logged_value):
    bp.add_app_template_global(function)
logged("users", _l("User"), username=_l("User name"), email=_l("E-mail address"), role=_l("Role"),
       active=_l("Active"), language=_l("Language"), password=_l("Password"))
logged("lockouts", _l("Lock-out"), kind=_l("Locked"), subject=_l("Account or address"),
       failures=_l("Failed logins"), until=_l("Locked until"), refused=_l("Attempts refused"))


@bp.route("/")
def home():
    """The dashboard: open check results and their trend, what falls due, counts of the inventory."""
    board = dashboard.build()
    shown = (str(get_locale()), str(current_user.role))
    if shown not in board.pages:
        board.pages[shown] = Markup(render_template("core/_home_body.html", totals=board.totals,
                                                    board=board))
    return render_template("core/home.html", body=board.pages[shown])


#: the records whose audit entries only administrators read (user management, lock-outs)
ADMIN_ONLY_ENTRIES = ("users", "lockouts")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The password form (while REGISTRY_LOCAL_LOGIN is on, else for the break-glass accounts
    at /login?password) and the single sign-on button."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    local = current_app.config["LOCAL_LOGIN"]
    form = LoginForm()
    shown = {"form": form, "passwords": local or "password" in request.args,
             "sso": sso.enabled(), "next": request.args.get("next")}
    if form.validate_on_submit():
        address, name = auth.client_address(), form.username.data
        if not auth.password_login_allowed(name):
            auth.record_attempt(name, address, success=False)
            db.session.commit()
            flash(gettext("Password login is turned off: log in with single sign-on."), "error")
            return render_template("core/login.html", **shown), 403
        try:
            user = lockouts.log_in(name, form.password.data, address, admins_only=not local)
        except lockouts.LockedOut as locked:
            db.session.commit()
            flash(str(locked), "error")
            return render_template("core/login.html", **shown), 429
        db.session.commit()
        if user is not None:
            if not local:
                current_app.logger.warning("Break-glass password login by %s from %s",
                                           user.username, address)
                flash(gettext("You logged in with a break-glass password while password login is "
                              "turned off. This login is logged; use it only while single "
                              "sign-on fails."), "warning")
            auth.start_session(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(gettext("Wrong user name or password."), "error")
        return render_template("core/login.html", **shown), 401
    return render_template("core/login.html", **shown)


@bp.route("/login/sso")
def login_sso():
    """Send the browser to the identity provider to sign in (single sign-on)."""
    if not sso.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    session["sso_next"] = _safe_next(request.args.get("next"))
    try:
        return sso.redirect_to_provider(url_for("core.login_sso_callback", _external=True))
    except sso.Refused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("core.login"))


@bp.route("/login/sso/callback")
@transactions.writes_on_get
def login_sso_callback():
    """The identity provider's answer: log in the account it names, or say on the login page
    why not."""
    if not sso.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    try:
        user = sso.sign_in(auth.client_address())
    except sso.Refused as refusal:
        db.session.commit()  # the failed attempt
        flash(str(refusal), "error")
        return redirect(url_for("core.login"))
    db.session.commit()
    auth.start_session(user)
    return redirect(session.pop("sso_next", None) or url_for("core.home"))


def _safe_next(target: str | None) -> str:
    """Only follow a local path after login (no open redirect)."""
    return local_path(target) or url_for("core.home")


@bp.route("/logout", methods=["POST"])
def logout():
    current_user.end_sessions()
    db.session.commit()
    auth.end_session()
    flash(gettext("You have logged out."), "info")
    return redirect(url_for("core.login"))


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit() and form.language.data in {lang.value for lang in Language}:
        users.update_user(current_user._get_current_object(),
                          {"language": Language(form.language.data)})
        db.session.commit()
    return redirect(_safe_next(request.referrer and urlsplit(request.referrer).path))


@bp.route("/users/")
@role_required(Role.ADMIN)
def user_list():
    all_users = db.session.scalars(sa.select(User).order_by(User.username)).all()
    return render_template("core/user_list.html", users=all_users)


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_create():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = users.create_user(form.username.data, form.role.data, form.password.data,
                                     form.language.data, form.email.data)
        except users.UserError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            flash(gettext("User “%(name)s” was created.", name=user.username), "success")
            return redirect(url_for("core.user_list"))
    return render_template("core/user_form.html", form=form, user=None)


@bp.route("/users/<int:id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_edit(id: int):
    user = db.get_or_404(User, id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        try:
            users.update_user(user, {"email": form.email.data, "role": form.role.data,
                                     "active": form.active.data, "language": form.language.data},
                              by=current_user._get_current_object())
            if form.password.data:
                users.set_password(user, form.password.data)
        except users.UserError as error:
            db.session.rollback()
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            flash(gettext("User “%(name)s” was saved.", name=user.username), "success")
            return redirect(url_for("core.user_list"))
    return render_template("core/user_form.html", form=form, user=user)


@bp.route("/audit/")
def audit_log():
    """Every change, newest first, filtered by record type, action, actor and date; the record
    types and actions show how many entries each would leave (one grouped statement each)."""
    args = request.args
    entity_names = logged_tables()
    shown = []
    if not current_user.can(Role.ADMIN):  # accounts, roles and password events are the admins'
        shown.append(AuditEntry.entity.not_in(ADMIN_ONLY_ENTRIES))
        entity_names = [name for name in entity_names if name not in ADMIN_ONLY_ENTRIES]
    chosen = {}
    if args.get("entity") in entity_names:
        chosen["entity"] = AuditEntry.entity == args["entity"]
    if args.get("action") in {a.value for a in AuditAction}:
        chosen["action"] = AuditEntry.action == args["action"]
    if args.get("actor"):
        chosen["actor"] = AuditEntry.actor == args["actor"].strip()[:80]
    for key, compare in (("from", AuditEntry.at.__ge__), ("to", AuditEntry.at.__lt__)):
        day = _date_arg(args.get(key, ""))
        if day is not None:
            chosen[key] = compare(day + timedelta(days=1) if key == "to" else day)
    if args.get("request"):
        chosen["request"] = AuditEntry.request_id == args["request"].strip()[:32]
    counts = {}
    for key, column in (("entity", AuditEntry.entity), ("action", AuditEntry.action)):
        others = [clause for name, clause in chosen.items() if name != key]
        counts[key] = {getattr(value, "value", value): rows for value, rows in db.session.execute(
            sa.select(column, sa.func.count()).where(*shown, *others).group_by(column))}
    page = paginate(sa.select(AuditEntry).where(*shown, *chosen.values())
                    .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    return render_template("core/audit_log.html", page=page, entity_names=entity_names,
                           actions=list(AuditAction), counts=counts)


def _date_arg(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return None
