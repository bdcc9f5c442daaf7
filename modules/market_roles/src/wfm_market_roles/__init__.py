"""Market-role overlays of the base templates and their domain validators (issue 4)."""
