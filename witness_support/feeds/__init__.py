"""Calendar feeds: each person's court schedule as an iCalendar subscription, identifying nothing."""
