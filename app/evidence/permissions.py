"""Object-level permission for evidence (who may see it: ``queries``)."""

from __future__ import annotations

from app.accounts.models import User
from app.core.permissions import Capability, Role, has_capability
from app.reviews.models import Workspace


def can_upload(user: User, role: Role | None, workspace: Workspace) -> bool:
    """The workspace's own nominees and contributors; inspecting lead officers
    and inspectors. Observers write nothing."""
    if has_capability(role, Capability.UPLOAD_TO_ANY_WORKSPACE):
        return True
    return has_capability(role, Capability.UPLOAD_TO_OWN_WORKSPACE) and (
        user.organisation_id == workspace.organisation_id
    )


def can_withdraw(user: User, role: Role | None, workspace: Workspace) -> bool:
    """The workspace's nominees; inspecting lead officers."""
    if has_capability(role, Capability.WITHDRAW_IN_ANY_WORKSPACE):
        return True
    return has_capability(role, Capability.WITHDRAW_IN_OWN_WORKSPACE) and (
        user.organisation_id == workspace.organisation_id
    )
