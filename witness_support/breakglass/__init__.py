"""Break-glass: an officer who is not assigned opens a witness's identity, location and contact
for a few hours in an emergency, by stating a reason; audited, and reviewed by a supervisor."""
