"""Notices to witnesses: preferences, the outbox, templates per language, channels and the sweep."""
