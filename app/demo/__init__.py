"""Synthetic demo data (`llmcourse demo seed`)."""
