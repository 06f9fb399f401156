"""Purposes of use, data categories and which purpose uses which category."""
