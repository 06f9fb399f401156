"""The registry with one more page, for the page benchmarks: /bench-floor is a logged-in page with
the layout and nothing else, so its latency is the fixed cost every registry page pays (session and
login check, the user's row, locale, CSRF token, layout, security headers).

    gunicorn "benchmarks.floor:create()"
"""

from __future__ import annotations

from flask import Flask, render_template

import registry

PATH = "/bench-floor"
_PAGE = '{% extends "base.html" %}{% block title %}floor{% endblock %}{% block content %}{% endblock %}'


def add_floor(app: Flask) -> Flask:
    """app with the floor page added."""
    page = app.jinja_env.from_string(_PAGE)  # compiled once, as the registry's templates are
    app.add_url_rule(PATH, "bench_floor", lambda: render_template(page))
    return app


def create() -> Flask:
    return add_floor(registry.create_app())
