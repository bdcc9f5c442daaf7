"""Webhooks, email and Kong integrations run by the worker (issue 5)."""
