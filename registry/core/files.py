"""Files the commands write appear whole or not at all."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def write_atomically(path: Path, write: Callable[[Path], T]) -> T:
    """Let write() fill a temporary file beside path, then rename it to path in one step; a
    process killed midway leaves at most a ``.part`` file, never a truncated path."""
    partial = path.with_name(f".{path.name}.part")
    try:
        result = write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return result
