"""Provisions to and receipts from third parties, personally referable information given to a
recipient who will link it to a person, and joint use (APPI Arts. 27-31): their records and how
long the rules keep them."""
