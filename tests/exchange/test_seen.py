"""The keys a sheet has seen, kept as hashes in sorted runs: a key is known once any chunk, or an
earlier key of its own chunk, had its hash."""

from __future__ import annotations

from registry.exchange import stored
from registry.exchange.seen import Hashes


def test_a_hash_is_known_once_added_in_any_chunk():
    seen = Hashes()
    chunks = [[(f"E{n}", "CRM") for n in range(start, start + 3)] for start in range(0, 30, 3)]
    for number, chunk in enumerate(chunks):
        assert seen.add(chunk).tolist() == [False] * 3
        assert len(seen.runs) == bin(number + 1).count("1")  # runs merge as a binary count
    again = [("E4", "CRM"), ("E30", "CRM"), ("E30", "CRM"), ("E0", "CRM"), ("E29", "CRM")]
    assert seen.add(again).tolist() == [True, False, True, True, True]
    assert seen.add([("E30", "CRM")]).tolist() == [True]
    assert all((run[:-1] < run[1:]).all() for run in seen.runs)  # sorted, each hash once


def test_equal_hashes_are_known_whatever_the_keys(monkeypatch):
    """Only the hash is compared: the planner compares the keys of the rows said known."""
    monkeypatch.setattr(stored, "key_hash", lambda key: 7)
    seen = Hashes()
    assert seen.add([("A",), ("B",)]).tolist() == [False, True]
    assert seen.add([("C",)]).tolist() == [True]
    assert seen.add([]).tolist() == []
