"""Custody and bail of each defendant (an append-only history) and the witness's enrolment for
offender notices after their case has closed."""
