"""Uploaded workbooks waiting for their user to confirm the plan, kept in the database so that
any app server can show the preview and apply it."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import flash, redirect, url_for
from flask_login import current_user
from werkzeug import Response
from werkzeug.datastructures import FileStorage

from registry.core.model import utcnow
from registry.core.web import receives_files
from registry.exchange.guard import Limits
from registry.exchange.models import PendingUpload
from registry.extensions import db

#: uploads not confirmed within this time are removed
KEEP = timedelta(hours=24)


@dataclass(frozen=True)
class Stored:
    """A pending upload read back: the file's name and bytes, and what the upload asked for."""

    filename: str
    details: dict
    content: bytes

    @contextmanager
    def path(self) -> Iterator[Path]:
        """The file on a temporary path, for the workbook readers (they take one); removed after."""
        descriptor, name = tempfile.mkstemp(suffix=".xlsx")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(self.content)
            yield Path(name)
        finally:
            os.unlink(name)


def save(upload: FileStorage, user_id: int, details: dict) -> str:
    """Keep an upload with details of the request (sync, consignee ...) and return its token;
    unconfirmed uploads older than KEEP are removed. The caller commits."""
    db.session.execute(sa.delete(PendingUpload).where(PendingUpload.created_at < utcnow() - KEEP))
    token = secrets.token_hex(16)
    db.session.add(PendingUpload(token=token, user_id=user_id, details=details,
                                 filename=shown_name(upload.filename), content=upload.read()))
    db.session.flush()
    return token


def received(form, field: str, details: dict, missing: str, back: str,
             then: str = "exchange.preview") -> Response:
    """The answer to a form posting a file: back (with `missing` said) when none was chosen,
    else the file kept as a pending upload and on to `then` with its token."""
    if not form.validate_on_submit():
        flash(missing, "error")
        return redirect(back)
    token = save(form[field].data, current_user.id, details)
    db.session.commit()
    return redirect(url_for(then, token=token))


def shown_name(filename: str | None, default: str = "upload.xlsx") -> str:
    """The file's own name, without folders or control characters (PostgreSQL refuses NUL);
    default when nothing is left."""
    name = "".join(c for c in Path(filename or "").name if c.isprintable())[:255]
    return name or default


def load(token: str, user_id: int) -> Stored | None:
    """The upload of token, only for the user who made it, and only while it is kept."""
    if len(token) != 32 or not all(c in "0123456789abcdef" for c in token):
        return None
    row = db.session.execute(
        sa.select(PendingUpload.filename, PendingUpload.details, PendingUpload.content).where(
            PendingUpload.token == token, PendingUpload.user_id == user_id,
            PendingUpload.created_at >= utcnow() - KEEP)).one_or_none()
    return None if row is None else Stored(*row)


def update(token: str, user_id: int, details: dict) -> None:
    """Change what a pending upload asks for (a ledger's mapping, once chosen). The caller
    commits."""
    db.session.execute(sa.update(PendingUpload).where(
        PendingUpload.token == token, PendingUpload.user_id == user_id).values(details=details))


def discard(token: str) -> None:
    """Remove an upload that was applied or refused. The caller commits."""
    db.session.execute(sa.delete(PendingUpload).where(PendingUpload.token == token))


def receives_workbooks(view):
    """Mark a view that receives an uploaded workbook: its requests may be as large as
    REGISTRY_IMPORT_MAX_FILE_BYTES (every other request keeps the small default)."""
    return receives_files(lambda config: Limits.from_config(config).max_file_bytes)(view)
