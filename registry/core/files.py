"""Files the commands write appear whole or not at all, and readable by their owner alone."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
#: the mode of every file the registry writes: its owner's alone
PRIVATE = 0o600


def write_atomically(path: Path, write: Callable[[Path], T]) -> T:
    """Let write() fill a temporary file beside path, then rename it to path in one step; a
    process killed midway leaves at most a ``.part`` file, never a truncated path."""
    partial = path.with_name(f".{path.name}.part")
    try:
        # readable by its owner alone from the start (a registry's files hold personal data)
        os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, PRIVATE))
        result = write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return result
