"""Handing an officer's work over to another officer or sharing it out among a team."""
