"""Consignees (委託先), what is entrusted to them, and the contracts that bind them."""
