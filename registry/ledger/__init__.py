"""Bring your own ledger: a company's hand-made 個人情報管理台帳 (one flat sheet, or a CSV), read
whatever its shape through a mapping the registry suggests, and imported as the records each row
describes, through the inventory's import pipeline and its rules."""
