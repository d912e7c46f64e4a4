"""Object-level permission for request lists (who may see them: ``queries``)."""

from __future__ import annotations

from app.accounts.models import User
from app.core.permissions import Capability, Role, has_capability
from app.reviews.models import Workspace


def can_make_requests(role: Role | None) -> bool:
    """Inspecting lead officers and inspectors: make requests, accept or
    return the evidence, withdraw a request. Observers write nothing."""
    return has_capability(role, Capability.MAKE_REQUESTS)


def can_assign(user: User, role: Role | None, workspace: Workspace) -> bool:
    """The workspace's nominees share its requests out; the inspecting lead
    officers and inspectors may too, when they make them."""
    if can_make_requests(role):
        return True
    return has_capability(role, Capability.ASSIGN_OWN_REQUESTS) and (
        user.organisation_id == workspace.organisation_id
    )
