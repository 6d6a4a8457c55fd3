"""Working-day calendar data (placeholder until the calendar is built)."""
