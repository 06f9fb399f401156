"""Attaching files as people do: the form on a record's page, posted with its CSRF token."""

from __future__ import annotations

import io

import pytest


def attach(client, path: str, record_id: int, name: str, content: bytes, kind: str = "contract",
           note: str = ""):
    """Post a file to the attach form of the record at /path/record_id."""
    url = f"/{path}/{record_id}/attachments/new"
    return client.post(url, {"file": (io.BytesIO(content), name), "kind": kind, "note": note},
                       content_type="multipart/form-data")


@pytest.fixture
def attachment_limit(app):
    """A function setting REGISTRY_ATTACHMENT_MAX_BYTES for one test."""
    before = app.config["ATTACHMENT_MAX_BYTES"]

    def limit(size: int) -> None:
        app.config["ATTACHMENT_MAX_BYTES"] = size

    yield limit
    app.config["ATTACHMENT_MAX_BYTES"] = before
