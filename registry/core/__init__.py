"""What every domain shares: the model base, users and roles, the audit log, list pages, errors."""
