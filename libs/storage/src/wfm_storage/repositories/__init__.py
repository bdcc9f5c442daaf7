"""Repositories: one per aggregate or index, each a thin translation to SQL or MongoDB."""
