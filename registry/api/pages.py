"""The Tokens page: a person's personal access tokens (an administrator's: everyone's), a new one
shown once, and revoking one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from registry.api import tokens
from registry.api.models import Scope
from registry.core.entity import logged
from registry.core.fields import ChoiceField, Form, strip
from registry.core.i18n import lazy_gettext as _l
from registry.extensions import db

bp = Blueprint("tokens", __name__)
logged("api_tokens", _l("API token"), name=_l("Name"), user=_l("User"), scope=_l("Scope"),
       expires_on=_l("Expires on"), revoked_at=_l("Revoked at"))
bp.add_app_template_global(tokens.state, "token_state")


class TokenForm(Form):
    """A new token of the user's own."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=tokens.NAME_MAX)],
                       filters=[strip], description=_l("What the token is for, e.g. “HR sync”."))
    scope = ChoiceField(_l("Scope"), Scope)
    days = IntegerField(_l("Days it lasts"), default=90,
                        validators=[Optional(), NumberRange(1, tokens.MAX_DAYS)],
                        description=_l("Leave empty for a token that lasts until revoked."))


@bp.route("/tokens/", methods=["GET", "POST"])
def index():
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        try:
            token, secret = tokens.create(current_user._get_current_object(), form.name.data,
                                          form.scope.data, form.days.data)
        except tokens.TokenError as error:
            db.session.rollback()
            form[error.field if error.field in form else "name"].errors.append(str(error))
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    listed = db.session.scalars(tokens.visible(current_user)).all()
    return render_template("api/tokens.html", form=form, tokens=listed, secret=secret,
                           revoke=FlaskForm()), 200 if not form.errors else 422


@bp.route("/tokens/<int:id>/revoke", methods=["POST"])
def revoke(id: int):
    token = tokens.owned(current_user, id)
    if token is None or not FlaskForm().validate_on_submit():
        abort(404 if token is None else 400)
    tokens.revoke(token)
    db.session.commit()
    flash(gettext("The token “%(name)s” was revoked.", name=token.name), "success")
    return redirect(url_for("tokens.index"))

