"""The supervisor's view: the caseload and the overdue work of the people one supervises."""
