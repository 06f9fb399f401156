"""Employees who handle personal data and the access they are granted (policy Art. 13)."""
