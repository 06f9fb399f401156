"""The quarterly supervision report for management, and its saved snapshots."""
