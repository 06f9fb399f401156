"""The top of every page (brand, navigation, language and account): the same for every page a user
sees in one language, so it is rendered once per user and language and only the CSRF token, which
is per session, is put in on each request."""

from __future__ import annotations

import functools

from flask import render_template, request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

#: stands for the CSRF token in a remembered header
_TOKEN = "\x00csrf\x00"


def page_header() -> Markup:
    """The rendered header of the current page, for base.html."""
    user = current_user
    key = (str(get_locale()), request.script_root, user.is_authenticated and
           (user.id, user.username, user.role))
    return Markup(_rendered(key).replace(_TOKEN, generate_csrf()))


@functools.lru_cache(maxsize=512)
def _rendered(key: tuple) -> str:
    """The header for one (language, site root, user): rendered with the token left out."""
    return render_template("core/header.html", csrf_token=lambda: _TOKEN)
