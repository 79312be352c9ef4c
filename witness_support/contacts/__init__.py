"""The contact log (every call, visit, message, letter and court day with a witness) and the
outcome of each witness's attendance at a court event."""
