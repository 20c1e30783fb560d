"""Feed health: per publisher, what was stored (the events table) and what was dead-lettered (the
dead-letter topic), and whether the feed went silent."""
