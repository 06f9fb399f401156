"""Which transactions take SQLite's write lock when they begin (registry.core.transactions)."""

from __future__ import annotations

from registry.core import transactions


def test_requests_that_change_data_write_unless_told_they_only_read(app):
    with app.test_request_context(method="GET"):
        assert not transactions.intends_to_write()
        with transactions.writing():
            assert transactions.intends_to_write()
        assert not transactions.intends_to_write()
    with app.test_request_context(method="POST"):
        assert transactions.intends_to_write()
        with transactions.writing(False):  # an import planning inside a POST
            assert not transactions.intends_to_write()
            with transactions.writing():
                assert transactions.intends_to_write()
            assert not transactions.intends_to_write()
        assert transactions.intends_to_write()
