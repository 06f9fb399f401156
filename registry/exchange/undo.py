"""The undo record of an import batch (what a revert reads), written out while the batch is applied:
the old values of a million updated rows would not fit in memory. Each section's items go to a
temporary file as JSON; at the end they are compressed into one JSON document."""

from __future__ import annotations

import json
import tempfile
import zlib
from collections.abc import Iterable
from typing import IO

#: the sections by table (ids created, old values of rows updated, rows deleted)
BY_TABLE = ("create", "update", "delete")
#: the sections of association rows, [table, owner id, target id] (links made and removed)
LISTS = ("links", "unlinks")


class UndoLog:
    """The undo record of one batch, section by section, kept on disk until it is complete."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, str | None], IO[str]] = {}

    def add(self, section: str, table: str | None, items: Iterable) -> None:
        """Items of a section (table None for the association sections)."""
        text = json.dumps(list(items))[1:-1]  # one call for the batch, without its brackets
        if not text:
            return
        file = self.files.get((section, table))
        if file is None:
            # closed once read back, or with the log when the batch fails
            file = self.files[(section, table)] = tempfile.TemporaryFile(  # noqa: SIM115
                "w+", encoding="utf-8")
        elif file.tell():
            file.write(",")
        file.write(text)

    def compressed(self) -> bytes:
        """The whole record as compressed JSON: {"create": {table: [id, ...]}, "update": {table:
        [[id, {column: old}], ...]}, "delete": {table: [row, ...]}, "links": [...], "unlinks": [...]}."""
        compressor = zlib.compressobj()
        parts: list[bytes] = []

        def put(text: str) -> None:
            parts.append(compressor.compress(text.encode()))

        def items(key: tuple[str, str | None]) -> None:
            put("[")
            file = self.files.get(key)
            if file is not None:
                file.seek(0)
                while chunk := file.read(1 << 20):
                    put(chunk)
                file.close()
            put("]")

        put("{")
        for number, section in enumerate(BY_TABLE):
            put(f"{', ' if number else ''}{json.dumps(section)}: {{")
            tables = [table for kind, table in self.files if kind == section]
            for index, table in enumerate(tables):
                put(f"{', ' if index else ''}{json.dumps(table)}: ")
                items((section, table))
            put("}")
        for section in LISTS:
            put(f", {json.dumps(section)}: ")
            items((section, None))
        put("}")
        parts.append(compressor.flush())
        return b"".join(parts)
