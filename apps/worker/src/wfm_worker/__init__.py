"""The background worker (issue 5)."""
