"""Supervision of consignees: checks and their findings."""
