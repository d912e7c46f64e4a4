"""Object-level permission for reviews, workspaces and memberships."""

from __future__ import annotations

from app.accounts.models import User
from app.core.errors import Forbidden
from app.core.i18n import ROLE_LABELS, _, label
from app.core.permissions import (
    GRANTABLE_ROLES,
    REVIEWED_ROLES,
    Capability,
    Role,
    has_capability,
)


def can_view_members(user: User, role: Role | None) -> bool:
    """Inspecting members and administrators see who is in a review."""
    return user.is_admin or has_capability(role, Capability.VIEW_MEMBERS)


def can_list_workspaces(user: User, role: Role | None) -> bool:
    """Members list workspaces (each sees those visible to them)."""
    return role is not None


def manageable_roles(actor: User, actor_role: Role | None) -> frozenset[Role]:
    """The roles ``actor`` may give (or take away) in a review."""
    if actor.is_admin:
        return frozenset(Role)
    granted: frozenset[Role] = frozenset()
    for capability, roles in GRANTABLE_ROLES.items():
        if has_capability(actor_role, capability):
            granted |= roles
    return granted


def require_may_manage_members(actor: User, actor_role: Role | None) -> None:
    """403 unless ``actor`` manages members in this review at all.

    Administrators manage anyone. A lead officer manages the members of their
    own body; a nominee the contributors of their own organisation. Nobody
    else manages members.
    """
    if not manageable_roles(actor, actor_role):
        raise Forbidden(_("You may not manage the members of this review."))


def require_own_organisation(actor: User, target: User) -> None:
    """403 when a non-administrator reaches for another organisation's user."""
    if actor.is_admin:
        return
    if (
        target.organisation_id is None
        or target.organisation_id != actor.organisation_id
    ):
        raise Forbidden(_("You may manage only members of your own organisation."))


def require_may_grant(
    actor: User,
    actor_role: Role | None,
    *,
    current_role: Role | None,
    new_role: Role | None,
) -> None:
    """403 unless ``actor`` may take away ``current_role`` and give ``new_role``."""
    allowed = manageable_roles(actor, actor_role)
    for role in (current_role, new_role):
        if role is not None and role not in allowed:
            if allowed <= REVIEWED_ROLES:
                raise Forbidden(_("Nominees may add and remove contributors only."))
            raise Forbidden(
                _(
                    "You may not give or change the role %(role)s.",
                    role=label(ROLE_LABELS, role),
                )
            )


def can_steer(user: User, role: Role | None) -> bool:
    """Inspecting lead officers and administrators move a review's stage and
    retitle it."""
    return user.is_admin or role is Role.LEAD_OFFICER


def require_may_steer(user: User, role: Role | None) -> None:
    if not can_steer(user, role):
        raise Forbidden(
            _("Only the inspecting bodies' lead officers change a review's stage.")
        )
