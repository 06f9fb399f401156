"""The floor under the page benchmarks: a bare WSGI application that replays the SQL statements a
registry page ran (captured by benchmarks.pages), with the bare driver (sqlite3 or psycopg), and
renders every row they returned with one Jinja template. No Flask, no ORM, no login.

    BASELINE_STATEMENTS=statements.pickle BASELINE_DATABASE=URL gunicorn benchmarks.baseline:app
"""

from __future__ import annotations

import os
import pickle
import sqlite3

import jinja2

PAGE = jinja2.Template("""<!doctype html><html><head><meta charset="utf-8"><title>{{ name }}</title></head>
<body><h1>{{ name }}</h1>{% for rows in results %}<table>{% for row in rows %}<tr>{% for value in row %}
<td>{{ value }}</td>{% endfor %}</tr>{% endfor %}</table>{% endfor %}</body></html>""", autoescape=True)


def _connect(url: str):
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.split(":///", 1)[1], check_same_thread=False)
        connection.execute("PRAGMA cache_size=-65536")
        return connection
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


with open(os.environ["BASELINE_STATEMENTS"], "rb") as source:
    STATEMENTS: dict[str, list[tuple[str, object]]] = pickle.load(source)
CONNECTION = None


def app(environ, start_response):
    global CONNECTION
    if CONNECTION is None:  # one connection per worker process, made after the fork
        CONNECTION = _connect(os.environ["BASELINE_DATABASE"])
    name = environ["PATH_INFO"].strip("/")
    if name not in STATEMENTS:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no such page"]
    cursor = CONNECTION.cursor()
    results = []
    for statement, parameters in STATEMENTS[name]:
        cursor.execute(statement, parameters)
        results.append(cursor.fetchall() if cursor.description else [])
    body = PAGE.render(name=name, results=results).encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                              ("Content-Length", str(len(body)))])
    return [body]
