"""Forms for logging in, choosing the language and managing users."""

from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Optional

from registry.core.fields import ChoiceField, Form, strip
from registry.core.i18n import lazy_gettext as _l
from registry.core.models import Language, Role
from registry.core.users import MIN_PASSWORD_LENGTH

EMAIL_HINT = _l("Single sign-on finds the account by this address when the identity provider "
                "has verified it.")


class LoginForm(Form):
    """User name and password."""

    username = StringField(_l("User name"), validators=[InputRequired(), Length(max=64)],
                           filters=[strip], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})


class LanguageForm(Form):
    """The language switch in the page header."""

    language = HiddenField(validators=[InputRequired()])


class UserCreateForm(Form):
    """A new user."""

    username = StringField(_l("User name"), validators=[InputRequired(), Length(max=64)],
                           filters=[strip])
    email = StringField(_l("E-mail address"), validators=[Optional(), Length(max=254)],
                        filters=[strip], description=EMAIL_HINT, render_kw={"autocomplete": "off"})
    role = ChoiceField(_l("Role"), Role)
    language = ChoiceField(_l("Language"), Language, optional=True)
    password = PasswordField(_l("Password"),
                             validators=[InputRequired(), Length(min=MIN_PASSWORD_LENGTH, max=256)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[EqualTo("password", message=_l("The passwords differ."))])


class UserEditForm(Form):
    """E-mail address, role, status, language, and optionally a new password."""

    email = StringField(_l("E-mail address"), validators=[Optional(), Length(max=254)],
                        filters=[strip], description=EMAIL_HINT, render_kw={"autocomplete": "off"})
    role = ChoiceField(_l("Role"), Role)
    active = BooleanField(_l("Active (may log in)"))
    language = ChoiceField(_l("Language"), Language, optional=True)
    password = PasswordField(_l("New password (leave empty to keep)"),
                             validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=256)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[EqualTo("password", message=_l("The passwords differ."))])


class PasswordChangeForm(Form):
    """A user's own new password, given with the current one."""

    current = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=256)],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"),
                             validators=[InputRequired(), Length(min=MIN_PASSWORD_LENGTH, max=256)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[EqualTo("password", message=_l("The passwords differ."))])
