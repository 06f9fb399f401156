"""The API's OpenAPI 3.1 document, generated (by apispec) from the entity descriptions that also
give the forms, lists and workbook: a schema per kind of record from its fields, a path per list
and record, each list's parameters from its list page's filters and sorts."""

from __future__ import annotations

from functools import cache

from apispec import APISpec
from flask_babel import force_locale

from registry.api import fields
from registry.core.entity import ENTITIES, DateRange, Entity, Filter, RecordFilter

VERSION = "1"
PROBLEM = {"$ref": "#/components/schemas/Problem"}


def kinds() -> dict[str, Entity]:
    """Every kind of record the API serves, by the name in its address (access-grants)."""
    return {entity.name.replace("_", "-"): entity for entity in ENTITIES.values()}


def list_parameters(entity: Entity) -> list[dict]:
    """A list's query parameters: the search, each filter of its page, the sort, the page."""
    found = [_query("q", {"type": "string", "maxLength": 200}, "Text searched for")]
    for spec in entity.filters:
        if isinstance(spec, DateRange):
            found += [_query(f"{spec.key}_{end}", {"type": "string", "format": "date"},
                             f"{_en(spec.label)} {word}")
                      for end, word in (("from", "from (inclusive)"), ("to", "to (inclusive)"))]
        elif isinstance(spec, RecordFilter):
            found.append(_query(spec.key, {"type": "integer"}, f"{_en(spec.label)} (an id)"))
        elif isinstance(spec, Filter) and spec.choices is not None:
            found.append(_query(spec.key, {"type": "string",
                                           "enum": [str(value) for value, _ in spec.choices()]},
                                _en(spec.label)))
        else:
            found.append(_query(spec.key, {"type": "string", "maxLength": 64}, _en(spec.label)))
    sorts = [column.key for column in entity.columns if column.sort is not None]
    found += [
        _query("sort", {"type": "string", "enum": [*sorts, *(f"-{key}" for key in sorts)]},
               "Sort by a column (- for descending); records of equal value by id"),
        _query("after", {"type": "string"}, "Start after this record: the `next` link's cursor"),
        _query("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
               "Records on the page"),
    ]
    return found


def _en(label: object) -> str:
    with force_locale("en"):
        return str(label)


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def _schemas(entity: Entity) -> tuple[dict, dict]:
    """The record as answered, and as a request gives it (required: what a new one needs)."""
    writable = fields.writable(entity.description)
    given = {field.name: fields.schema(field) for field in writable}
    suggested = {entity.description.key[0]} if entity.description.series else set()
    required = [field.name for field in writable
                if field.required and field.default is None and field.name not in suggested]
    read_only = {"readOnly": True}
    record = {"type": "object", "title": entity.description.singular.en,
              "properties": {"id": {"type": "integer", **read_only},
                             "revision": {"type": "integer", **read_only,
                                          "description": "The record's ETag"},
                             "label": {"type": "string", **read_only},
                             **given,
                             "created_at": {"type": "string", "format": "date-time", **read_only},
                             "updated_at": {"type": "string", "format": "date-time", **read_only}},
              "required": ["id", "revision", "label", *given, "created_at", "updated_at"]}
    change = {"type": "object", "title": f"{entity.description.singular.en} (input)",
              "properties": given, "additionalProperties": True,
              "description": f"Required for a new record: {', '.join(required) or 'nothing'}. "
                             "A change (PATCH) gives only the fields it changes."}
    return record, change


def _name(entity: Entity) -> str:
    return entity.model.__name__


def _problems(*statuses: int) -> dict:
    reasons = {400: "The request's parameters or body cannot be read",
               401: "No usable token", 403: "The token's scope or its user's role does not allow it",
               404: "No such record", 409: "Other records refer to it, or it conflicts with one",
               412: "The record changed since the revision in If-Match",
               415: "The body is not JSON", 422: "The rules refuse the change (errors name the fields)",
               429: "Too many requests for the token: wait for Retry-After seconds"}
    return {str(status): {"description": reasons[status],
                          "content": {"application/problem+json": {"schema": PROBLEM}}}
            for status in statuses}


@cache
def document() -> dict:
    """The whole document (the descriptions do not change while the application runs)."""
    spec = APISpec(title="Personal information registry API", version=VERSION,
                   openapi_version="3.1.0",
                   info={"description": "Every kind of record of the registry, through the same "
                                        "rules and audit log as its forms. Authenticate with a "
                                        "personal access token: Authorization: Bearer <token>."},
                   servers=[{"url": "/"}], security=[{"token": []}])
    spec.components.security_scheme("token", {"type": "http", "scheme": "bearer",
                                              "description": "A personal access token (reg_…)"})
    spec.components.schema("Problem", {
        "type": "object", "description": "RFC 9457 problem details",
        "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                       "status": {"type": "integer"}, "detail": {"type": "string"},
                       "instance": {"type": "string"},
                       "errors": {"type": "array", "items": {
                           "type": "object",
                           "properties": {"field": {"type": ["string", "null"]},
                                          "pointer": {"type": "string"},
                                          "message": {"type": "string"}}}}},
        "required": ["type", "title", "status"]})
    etag = {"ETag": {"description": "The record's revision", "schema": {"type": "string"}}}
    if_match = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                "description": "The ETag read: a record changed since answers 412"}
    for kind, entity in kinds().items():
        name = _name(entity)
        record, change = _schemas(entity)
        spec.components.schema(name, record)
        spec.components.schema(f"{name}Input", change)
        one = {"$ref": f"#/components/schemas/{name}"}
        body = {"required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}Input"}}}}
        plural, tag = entity.description.plural.en, entity.description.plural.en
        identifier = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
        spec.path(path=f"/api/v1/{kind}/", operations={
            "get": {"operationId": f"list_{entity.name}", "tags": [tag],
                    "summary": f"List {plural.lower()}",
                    "parameters": list_parameters(entity),
                    "responses": {"200": {"description": "A page of the list", "content": {
                        "application/json": {"schema": {
                            "type": "object",
                            "properties": {"items": {"type": "array", "items": one},
                                           "count": {"type": "integer"},
                                           "count_capped": {"type": "boolean"},
                                           "next": {"type": ["string", "null"]}},
                            "required": ["items", "count", "count_capped", "next"]}}}},
                                  **_problems(400, 401, 429)}},
            "post": {"operationId": f"create_{entity.name}", "tags": [tag],
                     "summary": f"Create a record of {plural.lower()}", "requestBody": body,
                     "responses": {"201": {"description": "Created", "headers": etag,
                                           "content": {"application/json": {"schema": one}}},
                                   **_problems(400, 401, 403, 409, 415, 422, 429)}}})
        spec.path(path=f"/api/v1/{kind}/{{id}}", operations={
            "get": {"operationId": f"read_{entity.name}", "tags": [tag],
                    "summary": f"Read a record of {plural.lower()}", "parameters": [identifier],
                    "responses": {"200": {"description": "The record", "headers": etag,
                                          "content": {"application/json": {"schema": one}}},
                                  "304": {"description": "Not modified since If-None-Match"},
                                  **_problems(401, 404, 429)}},
            "patch": {"operationId": f"update_{entity.name}", "tags": [tag],
                      "summary": f"Change a record of {plural.lower()}",
                      "parameters": [identifier, if_match], "requestBody": body,
                      "responses": {"200": {"description": "The record changed", "headers": etag,
                                            "content": {"application/json": {"schema": one}}},
                                    **_problems(400, 401, 403, 404, 409, 412, 415, 422, 429)}},
            "delete": {"operationId": f"delete_{entity.name}", "tags": [tag],
                       "summary": f"Delete a record of {plural.lower()}",
                       "parameters": [identifier, if_match],
                       "responses": {"204": {"description": "Deleted"},
                                     **_problems(401, 403, 404, 409, 412, 429)}}})
    return spec.to_dict()
