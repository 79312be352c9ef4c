"""Remedies for a witness: compensation claims with their payments, residence permits, charges
against the witness (non-punishment) and property the investigation took as evidence."""
