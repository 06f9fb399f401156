"""Vendor questionnaires: the versioned question bank (and, in time, the workbooks that go out to
consignees and come back)."""
