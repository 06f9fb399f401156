"""The administrators' Security page (failed logins, lock-outs) and each user's own password page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from registry.core import auth, lockouts, users
from registry.core.auth import role_required
from registry.core.forms import PasswordChangeForm
from registry.core.model import utcnow
from registry.core.models import Lockout, LoginAttempt, Role
from registry.core.web import paginate
from registry.extensions import db

bp = Blueprint("security", __name__)

#: how many lock-outs the Security page lists (those in force first, then the latest ended)
LOCKOUTS_SHOWN = 50


@bp.route("/security/")
@role_required(Role.ADMIN)
def index():
    """Lock-outs (in force, then recent) and failed logins, newest first, by account or address."""
    now = utcnow()
    shown = db.session.scalars(
        sa.select(Lockout).order_by((Lockout.until > now).desc(), Lockout.created_at.desc())
        .limit(LOCKOUTS_SHOWN)).all()
    failures = sa.select(LoginAttempt).where(LoginAttempt.success.is_(False)) \
        .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
    for key, column in (("username", LoginAttempt.username), ("address", LoginAttempt.address)):
        if request.args.get(key):
            failures = failures.where(column == request.args[key].strip().lower()[:64])
    return render_template("core/security.html", lockouts=shown, now=now, page=paginate(failures))


@bp.route("/security/lockouts/<int:id>/end", methods=["POST"])
@role_required(Role.ADMIN)
def end_lockout(id: int):
    lockout = db.get_or_404(Lockout, id)
    if lockout.until > utcnow():
        lockouts.end(lockout)
        db.session.commit()
        flash(gettext("The lock-out of %(subject)s has ended.", subject=lockout.subject), "success")
    return redirect(url_for("security.index"))


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    """Change one's own password: the current one is asked for (and throttled as a login is);
    every other session of the user ends."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            users.change_own_password(user, form.current.data, form.password.data,
                                      auth.client_address())
        except users.UserError as error:
            db.session.commit()  # a wrong current password counts towards a lock-out
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            auth.renew_session(user)
            flash(gettext("Your password was changed; your other sessions have ended."), "success")
            return redirect(url_for("core.home"))
    return render_template("core/password.html", form=form, min_length=users.MIN_PASSWORD_LENGTH)

