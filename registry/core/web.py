"""Request plumbing shared by every page: locale, security headers, error pages, template helpers."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping
from datetime import date, datetime
from urllib.parse import urlsplit, urlunsplit

from flask import (
    Flask,
    abort,
    current_app,
    has_request_context,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime, get_locale, get_translations, gettext
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import IntegerConverter

from registry.core.fields import MAX_ID, has_control_characters, record_id
from registry.core.i18n import template_gettext, translated
from registry.core.layout import page_header
from registry.core.models import Language
from registry.extensions import db

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

#: model class -> endpoint of its detail page, filled in as entities register
DETAIL_ENDPOINTS: dict[type, str] = {}


def select_locale() -> str:
    """The user's chosen language, else the browser's best match, else English."""
    if not has_request_context():
        return "en"
    if current_user and current_user.is_authenticated and current_user.language:
        return current_user.language.value
    return request.accept_languages.best_match([lang.value for lang in Language]) or "en"


def init_app(app: Flask) -> None:
    app.before_request(_refuse_control_characters)
    app.after_request(_security_headers)
    app.teardown_request(_rollback_on_error)
    for code in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(StaleDataError, _saved_meanwhile)
    app.jinja_env.filters["show"] = show
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["label"] = label
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["record_url"] = record_url
    app.jinja_env.globals["languages"] = list(Language)
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["page_header"] = page_header
    app.context_processor(template_gettext)
    app.jinja_env.globals["url_for"] = cached_url_for
    app.jinja_env.install_gettext_callables(  # Flask-Babel's, with the translations remembered
        gettext=translated,
        ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: get_translations().unpgettext(c, s, p, n),
    )


def receives_files(limit: Callable[[Mapping], int]):
    """Mark a view that receives uploaded files: its requests may be as large as limit(config)
    bytes (every other request keeps MAX_CONTENT_LENGTH, 1 MiB)."""

    def mark(view: Callable) -> Callable:
        view.upload_limit = limit
        return view

    return mark


def allow_upload_size() -> None:
    """before_request, registered before the CSRF check reads the body: raise the size limit of
    requests to the views that receive files (receives_files); a larger body is refused (413)
    before it is read."""
    limit = getattr(current_app.view_functions.get(request.endpoint), "upload_limit", None)
    if limit is not None:
        request.max_content_length = limit(current_app.config)


def _security_headers(response):
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if current_user and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def _rollback_on_error(exc: BaseException | None) -> None:
    if exc is not None:
        db.session.rollback()


def _error_page(error):
    db.session.rollback()
    code = getattr(error, "code", 500)
    messages = {
        403: gettext("Your role does not allow this action."),
        404: gettext("There is no such page or record."),
        405: gettext("This address does not accept that kind of request."),
        413: gettext("The upload is larger than the registry accepts."),
        500: gettext("Something went wrong on the server. Nothing was saved."),
    }
    message = messages.get(code)
    if code == 400:  # the registry's own explanation, else a translated one (not Werkzeug's)
        own = getattr(error, "description", None) != getattr(type(error), "description", None)
        message = error.description if own else gettext("The request was not understood.")
    return render_template("error.html", code=code, message=message), code


def _csrf_error(error: CSRFError):
    db.session.rollback()
    message = gettext("The form had expired or was not sent from the registry. Please try again.")
    return render_template("error.html", code=400, message=message), 400


def _saved_meanwhile(error: StaleDataError):
    """A record someone else saved between this request's read and its write (edit forms show
    what changed; any other page says so)."""
    db.session.rollback()
    message = gettext("Someone else changed this record at the same moment. Nothing was saved: "
                      "open it again and repeat your change.")
    return render_template("error.html", code=409, message=message), 409


def show(value: object) -> str | Markup:
    """A value as a person reads it: labels for choices, dates as YYYY-MM-DD, links for records."""
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, bool):
        return translated("Yes") if value else translated("No")
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, date):
        return value.isoformat()
    if type(value) in DETAIL_ENDPOINTS:
        return link(record_url(value), str(value))
    if isinstance(value, list | tuple):
        return Markup(", ").join(show(item) for item in value)
    return label(value)


#: how an empty value shows
NOTHING = Markup('<span class="muted">—</span>')


def link(url: str, text: str) -> Markup:
    """<a href="url">text</a>, both escaped (built by hand: Markup.format costs ten times more)."""
    return Markup(f'<a href="{escape(url)}">{escape(text)}</a>')


def label(value: object) -> str:
    """The plain text of a value: a choice's label, a record's name."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return translated(getattr(value, "label", value.value))
    return str(value)


def when(value: datetime | None) -> str:
    """A stored UTC timestamp in the registry's time zone."""
    return "" if value is None else format_datetime(value, "yyyy-MM-dd HH:mm")


def record_url(obj: object) -> str:
    return cached_url_for(DETAIL_ENDPOINTS[type(obj)], id=obj.id)


def cached_url_for(endpoint: str, **values) -> str:
    """url_for, remembering the addresses it built (a list page asks for about a hundred, and
    the same ones on every request); the URL map never changes once the app runs."""
    if endpoint.startswith(".") or any(key.startswith("_") for key in values):
        return url_for(endpoint, **values)  # relative to the blueprint, or external, anchored
    key = (endpoint, request.script_root, *values.items())
    try:
        return _built(key)
    except TypeError:  # an unhashable value: build it every time
        return url_for(endpoint, **values)


@functools.lru_cache(maxsize=8192)
def _built(key: tuple) -> str:
    return url_for(key[0], **dict(key[2:]))


def query_arguments() -> dict[str, str]:
    """The request's query arguments, without those url_for would take as its own options
    (_external, _anchor, _scheme, _method): a link built from them stays a plain relative link."""
    return {key: value for key, value in request.args.items() if not key.startswith("_")}


def url_with(**changes) -> str:
    """The current page's address with some query arguments changed (None removes one)."""
    args = query_arguments()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return cached_url_for(request.endpoint, **(request.view_args or {}), **args)


#: the longest address kept to go back to
MAX_NEXT = 2000


def local_path(target: str | None) -> str | None:
    """target when it is a path on this site (no scheme or host, no backslash or control
    character that a browser could read as another site), else None: no open redirect."""
    if not target or len(target) > MAX_NEXT or not target.startswith("/") \
            or target.startswith("//") or "\\" in target or has_control_characters(target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def came_from() -> str | None:
    """The page to go back to from a form: its `next` (the query's, or the form's hidden field),
    else the page of this site that linked to the form (Referer); a local path, never the form
    itself, or None."""
    target = request.values.get("next")
    if not target and request.method == "GET" and request.referrer:
        parts = urlsplit(request.referrer)
        if parts.netloc == request.host and parts.scheme in ("http", "https"):
            target = urlunsplit(("", "", parts.path, parts.query, ""))
    target = local_path(target)
    if target is None or urlsplit(target).path == request.script_root + request.path:
        return None
    return target


#: pages beyond this are not offered (an offset this far would overflow the database's integers)
MAX_PAGE = 100_000


def page_number(args, key: str = "page") -> int:
    """The page asked for in the query string: 1 unless it is a sane positive number."""
    number = record_id(args.get(key))
    return min(number, MAX_PAGE) if number else 1


def paginate(query, *, key: str = "page", per_page: int | None = None):
    """The page of query's results the query string asks for (key), PAGE_SIZE rows by default; a
    page past the end is empty, and an absurd page number is page 1 (page_number)."""
    return db.paginate(query, page=page_number(request.args, key), error_out=False,
                       per_page=per_page or current_app.config["PAGE_SIZE"])


class Window(Pagination):
    """A page of rows read beforehand (a statement that also counts them, or plain rows), with
    the pager's attributes of db.paginate's pages."""

    def __init__(self, page: int, per_page: int, items: list, total: int):
        self._items, self._total = items, total
        super().__init__(page=page, per_page=per_page, error_out=False)

    def _query_items(self) -> list:
        return self._items

    def _query_count(self) -> int:
        return self._total


class RecordIdConverter(IntegerConverter):
    """<int:id> in addresses: at most MAX_ID, so a larger number is a 404, not a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _refuse_control_characters():
    """A query string with control characters (NUL, escape ...) is refused before any view
    puts it in a query; forms say so beside the field instead (fields.Form)."""
    if any(has_control_characters(value) for values in request.args.listvalues() for value in values):
        abort(400, gettext("The search or a filter holds invisible characters (such as a tab or a "
                           "line break, often pasted from a spreadsheet). Remove them and search again."))
