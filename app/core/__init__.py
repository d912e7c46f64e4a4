"""Cross-cutting code: database base classes, errors, uploads, file responses."""
