"""The JSON API under /api/v1: every kind of record listed (the list page's filters, pages after a
row), read, created, changed and deleted through the same services, rules and audit log as its
forms; each record's revision is its ETag, and a change based on another answers 412."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import orm as so
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from registry.api import access, fields, problems
from registry.api.openapi import document, kinds
from registry.api.problems import Refused
from registry.core import records
from registry.core.entity import Entity
from registry.core.model import Record
from registry.core.paging import COUNT_CAP, capped, next_cursor, rows_after
from registry.core.schema import REFS, Invalid
from registry.extensions import csrf, db, limiter, login_manager

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)  # a token in a header, never a cookie: nothing for a forged request to ride on
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=access.rate_key,
              exempt_when=lambda: request.endpoint in ("api.docs", "api.openapi"))(bp)

#: records a page of a list holds unless `limit` says fewer (at most PAGE_MAX)
PAGE_SIZE = 100
PAGE_MAX = 500
#: what a record's JSON holds beside its fields; a request may send them back (they are ignored)
READ_ONLY = ("id", "revision", "label", "created_at", "updated_at")


@bp.errorhandler(Refused)
def _refused(refused: Refused) -> Response:
    db.session.rollback()
    return problems.answer(refused)


def _http_error(error: HTTPException) -> Response:
    db.session.rollback()
    return problems.from_http(error)


# by code too: the application's pages answer these codes with HTML, and a handler for a code
# comes before one for a class of error
bp.register_error_handler(HTTPException, _http_error)
for _code in (400, 403, 404, 405, 413, 429, 500):
    bp.register_error_handler(_code, _http_error)


@bp.before_request
def _authenticate():
    if request.endpoint in ("api.docs", "api.openapi") and current_user.is_authenticated:
        return None  # a person logged in reads the docs; a program reads them with its token
    if request.endpoint == "api.docs":
        return login_manager.unauthorized()
    access.require_token()
    return None


# -- the document and its page ----------------------------------------------------------------

@bp.route("/openapi.json")
def openapi():
    return jsonify(document())


@bp.route("/docs")
def docs():
    return render_template("api/docs.html", spec=document())


# -- records ----------------------------------------------------------------------------------

def _entity(kind: str) -> Entity:
    entity = kinds().get(kind)
    if entity is None:
        raise Refused(404, gettext("There is no kind of record “%(kind)s”; %(kinds)s are.", kind=kind,
                              kinds=", ".join(kinds())))
    return entity


def _changed(kind: str) -> Entity:
    """The kind a change is asked of, once the token's user may change its records (403)."""
    entity = _entity(kind)
    access.require_role(entity.change_role, str(entity.plural))
    return entity


def _record(entity: Entity, id: int) -> Record:
    found = db.session.get(entity.model, id)
    if found is None:
        raise Refused(404, gettext("There is no record of %(kind)s with id %(id)s.",
                              kind=str(entity.plural), id=id))
    return found


def as_json(entity: Entity, obj: Record) -> dict:
    found = {"id": obj.id, "revision": obj.revision, "label": str(obj)}
    for field in fields.writable(entity.description):
        found[field.name] = fields.dumped(field, obj)
    found["created_at"] = obj.created_at.isoformat() + "Z"
    found["updated_at"] = obj.updated_at.isoformat() + "Z"
    return found


def _answer(entity: Entity, obj: Record, status: int = 200) -> Response:
    response = jsonify(as_json(entity, obj))
    response.status_code = status
    response.set_etag(str(obj.revision))
    if status == 201:
        response.headers["Location"] = _url(entity, obj)
    return response


def _url(entity: Entity, obj: Record) -> str:
    return url_for("api.read", kind=_kind(entity), id=obj.id)


def _kind(entity: Entity) -> str:
    return entity.name.replace("_", "-")


@bp.route("/v1/")
def index():
    """The kinds of record, each with its list's address."""
    return jsonify({"kinds": [{"kind": kind, "name": entity.plural.en,
                               "url": url_for("api.listing", kind=kind)}
                              for kind, entity in kinds().items()]})


@bp.route("/v1/<kind>/")
def listing(kind: str):
    """A page of a list: the filters and sort of the list page, `limit` records after `after`."""
    entity = _entity(kind)
    args = request.args
    known = {parameter["name"]
             for parameter in document()["paths"][f"/api/v1/{kind}/"]["get"]["parameters"]}
    unknown = [name for name in args if name not in known]
    if unknown:
        raise Refused(400, gettext("Unknown parameter %(names)s; this list takes %(known)s.",
                              names=", ".join(unknown), known=", ".join(sorted(known))))
    for spec in entity.filters:
        if spec.key in args and not spec.read(args):
            raise Refused(400, gettext("“%(value)s” is not a value of the filter %(key)s.",
                                  value=args[spec.key], key=spec.key))
    limit = args.get("limit", PAGE_SIZE, type=int)
    if limit is None or not 1 <= limit <= PAGE_MAX:
        raise Refused(400, gettext("limit must be a whole number from 1 to %(max)s.", max=PAGE_MAX))
    query, state = entity.list_query(args)
    order = state["order"]
    start = None
    if "after" in args:
        start = order.read(args["after"])
        if start is None:
            raise Refused(400, gettext("after must be the `next` cursor of the page before."))
    query = query.options(*(so.selectinload(getattr(entity.model, field.name))
                            for field in fields.writable(entity.description)
                            if field.kind == REFS))
    items = rows_after(query, order, start, limit + 1)
    beyond, items = len(items) > limit, items[:limit]
    count = db.session.scalar(capped(entity.count_query(state)))
    following = None
    if beyond:
        following = url_for("api.listing", kind=kind, **{**args.to_dict(),
                                                          "after": next_cursor(order, items[-1])})
    return jsonify({"items": [as_json(entity, obj) for obj in items],
                    "count": min(count, COUNT_CAP), "count_capped": count > COUNT_CAP,
                    "next": following})


@bp.route("/v1/<kind>/<int:id>")
def read(kind: str, id: int):
    entity = _entity(kind)
    obj = _record(entity, id)
    if request.if_none_match.contains(str(obj.revision)):
        response = Response(status=304)
        response.set_etag(str(obj.revision))
        return response
    return _answer(entity, obj)


@bp.route("/v1/<kind>/", methods=["POST"])
def create(kind: str):
    entity = _changed(kind)
    data = _body(entity, partial=False)
    return _answer(entity, _saved(lambda: entity.create(entity.model, data)), 201)


@bp.route("/v1/<kind>/<int:id>", methods=["PATCH"])
def update(kind: str, id: int):
    entity = _changed(kind)
    obj = _record(entity, id)
    _current(obj)
    data = _body(entity, partial=True)
    _saved(lambda: entity.update(obj, data), obj)
    return _answer(entity, obj)


@bp.route("/v1/<kind>/<int:id>", methods=["DELETE"])
def delete(kind: str, id: int):
    entity = _changed(kind)
    obj = _record(entity, id)
    _current(obj)
    blocking = entity.blocking_dependents(obj)
    if blocking:
        raise Refused(409, gettext(
            "“%(record)s” cannot be deleted while other records refer to it: %(what)s.",
            record=str(obj), what=", ".join(f"{count} {label}" for label, count in blocking)))
    _saved(lambda: records.delete(obj), obj)
    return Response(status=204)


def _saved(write, obj: Record | None = None):
    """Make the change through the domain's service and commit it: 422 for what the rules refuse,
    412 when obj was saved by someone else meanwhile, 409 for a clash the database finds."""
    try:
        done = write()
        db.session.commit()
    except Invalid as invalid:
        raise _invalid(invalid) from invalid
    except StaleDataError as error:
        raise _stale(obj) from error
    except sa.exc.IntegrityError as error:
        raise _conflict() from error
    return done


def _current(obj: Record) -> None:
    """412 when If-Match names another revision than the record's (nothing is changed)."""
    if request.if_match and not request.if_match.contains(str(obj.revision)) \
            and not request.if_match.star_tag:
        raise _stale(obj)


def _stale(obj: Record) -> Refused:
    return Refused(412, gettext(
        "The record was changed since the revision in If-Match (it is at revision %(revision)s "
        "now); read it again and send your change with its ETag.", revision=obj.revision),
        headers={"ETag": f'"{obj.revision}"'})


def _conflict() -> Refused:
    return Refused(409, gettext("The change conflicts with another record; nothing was written."))


def _invalid(invalid: Invalid) -> Refused:
    return Refused(422, gettext("The rules refuse this change; nothing was written."),
                   problems.errors(invalid.problems), problems.INVALID)


def _body(entity: Entity, partial: bool) -> dict:
    """The request's JSON object as the services take it; 415 / 400 / 422 for what cannot be."""
    if not request.is_json:
        raise Refused(415, gettext("Send the record as JSON (Content-Type: application/json)."))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused(400, gettext("The body must be a JSON object."))
    writable = {field.name: field for field in fields.writable(entity.description)}
    data, found = {}, []
    for name, value in body.items():
        field = writable.get(name)
        if field is None:
            if name not in READ_ONLY:
                found.append({"field": name, "pointer": f"/{name}",
                              "message": gettext("Not a field of %(kind)s.",
                                                 kind=str(entity.plural))})
            continue
        try:
            data[name] = fields.read(field, value)
        except fields.Unreadable as unreadable:
            found.append({"field": name, "pointer": f"/{name}", "message": str(unreadable)})
    if found:
        raise Refused(422, gettext("The request's values cannot be read; nothing was written."),
                      found, problems.INVALID)
    if not partial:
        data = {**_blank(entity), **data}
    return data


def _blank(entity: Entity) -> dict:
    """What a new record has for the fields a request leaves out, as its empty form would: the
    next management number of its series, the field's default, else empty."""
    blank = {field.name: [] if field.kind == REFS else field.empty
             for field in fields.writable(entity.description) if field.default is None}
    return {**blank, **records.suggested(entity.model)}
