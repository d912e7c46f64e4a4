"""Object-level permission for request lists (who may see them: ``queries``)."""

from __future__ import annotations

from app.core.permissions import Capability, Role, has_capability


def can_make_requests(role: Role | None) -> bool:
    """Inspecting lead officers and inspectors: make requests, accept or
    return the evidence, withdraw a request. Observers write nothing."""
    return has_capability(role, Capability.MAKE_REQUESTS)
