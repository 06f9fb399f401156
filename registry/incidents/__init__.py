"""Incidents: leakage, loss and damage of personal data, and the APPI's clocks (Art. 26)."""
