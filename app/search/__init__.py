"""Full-text search of uploaded evidence."""
