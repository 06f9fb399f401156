"""The natural keys a sheet has seen, kept as their 64-bit hashes in sorted numpy runs: 8 bytes a
key, where a set of the keys takes about a hundred (issue 17). An equal hash says that a row
probably repeats an earlier one; the planner settles it against the keys themselves."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from registry.exchange import stored


class Hashes:
    """Hashes added a chunk at a time, each chunk a sorted run; runs of equal size merge as a
    binary counter carries, so that a hash is merged about log2(keys / chunk) times and a look-up
    searches as many runs."""

    def __init__(self) -> None:
        self.runs: list[np.ndarray] = []

    def add(self, keys: Sequence[tuple]) -> np.ndarray:
        """Add the hashes of these keys; for each key, whether its hash was there already (an
        earlier chunk's, or an earlier key's of this chunk)."""
        hashes = np.fromiter((stored.key_hash(key) for key in keys), np.int64, len(keys))
        unique, first = np.unique(hashes, return_index=True)
        known = np.ones(len(keys), bool)
        known[first] = False
        for run in self.runs:
            at = np.searchsorted(run, hashes).clip(max=len(run) - 1)
            known |= run[at] == hashes
        if len(unique):
            while self.runs and len(self.runs[-1]) <= len(unique):
                unique = np.union1d(self.runs.pop(), unique)
            self.runs.append(unique)
        return known
