"""A sequence kept in a temporary file a chunk at a time: what an import holds of every row (the
rows read, the rows cleaned, the plan) waits on disk between passes, so the import's memory does
not grow with its rows (issue 17)."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, Generic, TypeVar

T = TypeVar("T")

#: items held in memory before they are written out together
CHUNK = 2000


class Spool(Generic[T]):
    """Append, count and read back in order, as often as needed. The items are not to be
    changed once appended: those read back from the disk are copies, those of the last chunk not.
    Nothing touches the disk until a chunk is full."""

    def __init__(self, items: Iterable[T] = (), chunk: int | None = None):
        self.chunk = chunk or CHUNK
        self._file: IO[bytes] | None = None
        self._offsets: list[int] = []
        self._tail: list[T] = []
        self._length = 0
        self.extend(items)

    def append(self, item: T) -> None:
        self._tail.append(item)
        self._length += 1
        if len(self._tail) >= self.chunk:
            self._write()

    def extend(self, items: Iterable[T]) -> None:
        for item in items:
            self.append(item)

    def _write(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="registry-spool-")  # noqa: SIM115 - clear() closes it
        self._file.seek(0, 2)
        self._offsets.append(self._file.tell())
        pickle.dump(self._tail, self._file, pickle.HIGHEST_PROTOCOL)
        self._tail = []

    def __len__(self) -> int:
        return self._length

    def __bool__(self) -> bool:
        return self._length > 0

    def __iter__(self) -> Iterator[T]:
        for offset in list(self._offsets):
            self._file.seek(offset)
            yield from pickle.load(self._file)
        yield from list(self._tail)

    def __getitem__(self, index: int) -> T:
        if not -self._length <= index < self._length:
            raise IndexError(index)
        return next(islice(iter(self), index % self._length, None))

    def __del__(self) -> None:
        if self._file is not None:
            self._file.close()

    def clear(self) -> None:
        """Let the items and the file go (the file is removed; also when the spool is collected)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._offsets, self._tail, self._length = [], [], 0
