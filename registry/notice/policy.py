"""A published privacy policy read as text, bounded and decoded as Japanese files come (UTF-8,
with or without its mark, or Shift_JIS as Windows writes it); and the company's published one,
the file REGISTRY_PUBLISHED_POLICY names, that the catalogue's policy checks compare with."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

#: the largest policy read (a policy is some tens of KiB)
MAX_BYTES = 1024 * 1024


class Unreadable(Exception):
    """The file is not a policy text the registry can read; the message says why."""


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise Unreadable(f"the policy is {len(data):,} bytes; at most {MAX_BYTES:,} are read")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("the policy is neither UTF-8 nor Shift_JIS (CP932) text")


def _published() -> Path | None:
    path = current_app.config["PUBLISHED_POLICY"]
    return Path(path) if path else None


def published() -> str | None:
    """The published policy's text (None: no REGISTRY_PUBLISHED_POLICY); Unreadable when the file
    is gone or not a policy text."""
    path = _published()
    if path is None:
        return None
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise Unreadable(f"REGISTRY_PUBLISHED_POLICY {path}: {error.strerror}") from error
    return decode(data)


def stamp() -> tuple | None:
    """What tells one version of the published policy from another (its file's time and size)."""
    path = _published()
    if path is None:
        return None
    try:
        found = path.stat()
    except OSError:
        return (str(path),)
    return (str(path), found.st_mtime_ns, found.st_size)
