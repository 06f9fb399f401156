"""The stored records a plan compares the rows of a sheet with, by natural key, in the sheet's
representation: a kind of few records is read whole; a large one (a million grants) is looked up
a chunk of rows at a time, so the plan's memory does not grow with the registry (issue 17)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date

import numpy as np
import sqlalchemy as sa

from registry.exchange.resources import Resource
from registry.exchange.write import batches, plain
from registry.extensions import db

#: records of a kind up to which a plan reads them whole; beyond, it looks them up by key
LOADED_ROWS = 20_000
#: the distinct values of a column up to which the records read whole share them
SHARED_VALUES = 4096
#: records a lookup keeps from single look-ups before it lets them go
KEPT_LOOKUPS = 10_000


def key_hash(key: tuple) -> int:
    """The 64 bits a natural key is indexed by (equal keys, equal hashes, as in a dict)."""
    return hash(key)


class Stored(Mapping):
    """Every stored record of a kind, each a tuple of its values, given as a dict when asked for
    (a tuple takes a fifth of a dict's memory); a column of few distinct values (a level, a
    system, a day) holds each value once."""

    def __init__(self, resource: Resource):
        self.resource = resource
        self.columns: tuple[str, ...] = ()
        self.rows: dict[tuple, tuple] = {}
        self._load()

    def _load(self) -> None:
        shared: dict[str, dict | None] = defaultdict(dict)
        for batch in batches(self.resource, None):
            for row in batch:
                for column, value in row.items():
                    seen = shared[column]
                    if seen is None or value is None or value.__class__ not in (str, date):
                        continue
                    one = seen.setdefault(value, value)
                    if one is not value:
                        row[column] = one
                    elif len(seen) > SHARED_VALUES:
                        shared[column] = None  # as many values as rows: nothing to share
                self._keep(row)

    def _keep(self, row: dict) -> None:
        if not self.columns:
            self.columns = tuple(row)
        self.rows[self.resource.key_of(row)] = tuple(row[column] for column in self.columns)

    def fetch(self, keys: Iterable[tuple]) -> None:
        """Get ready to be asked for these keys (all records are here already)."""

    def keys_of(self, ids: set[int]) -> dict[int, tuple]:
        """The natural keys of the records with these ids."""
        at = self.columns.index("id") if self.columns else 0
        return {row[at]: key for key, row in self.rows.items() if row[at] in ids}

    def _found(self, key: tuple) -> tuple | None:
        """The values of the record of this key, or None."""
        return self.rows.get(key)

    def __getitem__(self, key: tuple) -> dict:
        row = self._found(key)
        if row is None:
            raise KeyError(key)
        return dict(zip(self.columns, row, strict=True))

    def get(self, key: tuple, default=None):
        row = self._found(key)
        return default if row is None else dict(zip(self.columns, row, strict=True))

    def __contains__(self, key: object) -> bool:
        return self._found(key) is not None

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


class Lookup(Stored):
    """The stored records of a large kind, read when asked for. An index of the hashes of their
    natural keys (sorted, with their ids: 16 bytes a record) gives a key's candidate records;
    their rows are read by id and kept when their real key is the one asked for. `fetch` reads
    a chunk of rows' records in one go and lets the last chunk's go."""

    def _load(self) -> None:
        #: keys looked up and not stored
        self.absent: set[tuple] = set()
        hashes, ids = [], []
        for rows in self._keys():
            hashes.append(np.fromiter((key_hash(self.resource.key_of(row)) for row in rows),
                                      np.int64, len(rows)))
            ids.append(np.fromiter((row["id"] for row in rows), np.int64, len(rows)))
        hashes = np.concatenate(hashes) if hashes else np.empty(0, np.int64)
        order = np.argsort(hashes, kind="stable")
        self.hashes = hashes[order]
        self.ids = np.concatenate(ids)[order] if ids else np.empty(0, np.int64)

    def _keys(self) -> Iterator[list[dict]]:
        """The ids and natural keys of every stored record, a partition at a time."""
        query = self.resource.export_query(key_only=True).order_by(None)
        result = db.session.execute(query.execution_options(yield_per=10_000)).mappings()
        for partition in result.partitions():
            yield [plain(row) for row in partition]

    def fetch(self, keys: Iterable[tuple]) -> None:
        self.rows, self.absent = {}, set()
        self._read(set(keys))

    def _read(self, keys: set[tuple]) -> None:
        if not keys:
            return
        wanted = np.fromiter((key_hash(key) for key in keys), np.int64, len(keys))
        starts = np.searchsorted(self.hashes, wanted, "left")
        ends = np.searchsorted(self.hashes, wanted, "right")
        ids = [int(i) for start, end in zip(starts, ends, strict=True) if end > start
               for i in self.ids[start:end]]
        for start in range(0, len(ids), KEPT_LOOKUPS):
            for batch in batches(self.resource, ids[start:start + KEPT_LOOKUPS]):
                for row in batch:
                    if self.resource.key_of(row) in keys:
                        self._keep(row)
        self.absent |= keys - self.rows.keys()

    def _found(self, key: tuple) -> tuple | None:
        if key not in self.rows and key not in self.absent:
            if len(self.rows) + len(self.absent) > KEPT_LOOKUPS:
                self.rows, self.absent = {}, set()
            self._read({key})
        return self.rows.get(key)

    def keys_of(self, ids: set[int]) -> dict[int, tuple]:
        listed = sorted(ids)
        return {row["id"]: self.resource.key_of(row)
                for start in range(0, len(listed), KEPT_LOOKUPS)
                for batch in batches(self.resource, listed[start:start + KEPT_LOOKUPS])
                for row in batch}

    def __iter__(self) -> Iterator[tuple]:
        for rows in self._keys():
            yield from map(self.resource.key_of, rows)

    def items(self) -> Iterator[tuple[tuple, dict]]:
        for row in self._all():
            yield self.resource.key_of(row), row

    def values(self) -> Iterator[dict]:
        return self._all()

    def _all(self) -> Iterator[dict]:
        """Every stored record, read a batch at a time."""
        for batch in batches(self.resource, None):
            yield from batch

    def __len__(self) -> int:
        return len(self.ids)


def records(resource: Resource) -> Stored:
    """The stored records of a kind, read whole or looked up as their number asks."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(resource.table))
    return Lookup(resource) if count > LOADED_ROWS else Stored(resource)
