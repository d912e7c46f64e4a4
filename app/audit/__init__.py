"""The audit trail of the portal."""
