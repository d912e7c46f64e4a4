"""Helpers shared by test suites (external servers, builders)."""
