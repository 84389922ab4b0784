"""southbound."""
