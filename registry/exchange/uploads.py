"""Uploaded workbooks waiting for the user to confirm their plan, kept under instance/uploads."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

#: uploads not confirmed within this time are removed
KEEP_SECONDS = 24 * 3600


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(upload: FileStorage, user_id: int, details: dict) -> str:
    """Store an upload with details of the request (sync, consignee ...) and return its token;
    old unconfirmed uploads are removed."""
    folder = _folder()
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    upload.save(folder / f"{token}.xlsx")
    meta = {**details, "user_id": user_id,
            "filename": Path(upload.filename or "upload.xlsx").name[:255]}
    (folder / f"{token}.json").write_text(json.dumps(meta))
    return token


def load(token: str, user_id: int) -> tuple[Path, dict] | None:
    """The stored file and its details, only for the user who uploaded it."""
    if len(token) != 32 or not all(c in "0123456789abcdef" for c in token):
        return None
    folder = _folder()
    meta_path = folder / f"{token}.json"
    if not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text())
    if meta["user_id"] != user_id:
        return None
    return folder / f"{token}.xlsx", meta


def discard(token: str) -> None:
    folder = _folder()
    for suffix in (".xlsx", ".json"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)
