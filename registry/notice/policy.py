"""A published privacy policy read as text, bounded and decoded as Japanese files come (UTF-8,
with or without its mark, or Shift_JIS as Windows writes it)."""

from __future__ import annotations

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
