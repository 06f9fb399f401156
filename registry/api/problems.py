"""Errors in one JSON shape, RFC 9457's problem details: a type, a title, the status, what went
wrong (detail) and, for a refused change, each field with the message its form would show."""

from __future__ import annotations

from http import HTTPStatus

from flask import Response, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from registry.core.schema import Problem

MEDIA_TYPE = "application/problem+json"
#: the problems the docs page explains, by the anchor their type names
INVALID = "invalid"


class Refused(Exception):
    """An API request answered with a problem: raised anywhere in a view, answered as JSON."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None,
                 kind: str | None = None, headers: dict | None = None, title: str | None = None):
        super().__init__(detail)
        self.status, self.detail = status, detail
        #: the status's reason phrase, the same for every problem of its type (RFC 9457 3.1.3)
        self.title = title or HTTPStatus(status).phrase
        self.errors, self.kind, self.headers = errors, kind, headers or {}


def answer(refused: Refused) -> Response:
    body = {"type": url_for("api.docs", _anchor=f"problem-{refused.kind}", _external=True)
            if refused.kind
            else "about:blank",
            "title": refused.title, "status": refused.status, "detail": refused.detail,
            "instance": request.path}
    if refused.errors is not None:
        body["errors"] = refused.errors
    response = jsonify(body)
    response.status_code = refused.status
    response.mimetype = MEDIA_TYPE
    response.headers.update(refused.headers)
    return response


def from_http(error: HTTPException) -> Response:
    """An HTTP error raised in the API (404, 405, 413, 429 ...) as a problem."""
    headers = dict(error.get_headers())
    headers.pop("Content-Type", None)
    return answer(Refused(error.code or 500, error.description or error.name, headers=headers,
                          title=error.name))


def errors(problems: list[Problem]) -> list[dict]:
    """A change's problems as the `errors` member: the field (None: the record as a whole) and
    the message, with a JSON pointer into the request's body."""
    return [{"field": problem.field, "pointer": f"/{problem.field}" if problem.field else "",
             "message": str(problem.message)} for problem in problems]
