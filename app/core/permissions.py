"""Role capability: the one table that says what each review role may do.

Permission has three layers, each with one home:

1. signed in: the API's bearer token (``app/auth``), the pages' session;
2. role capability: this module, mapping each role to its capabilities;
3. object level: ``<feature>/permissions.py`` predicates and the
   ``queries.visible_*`` filters that every list and every lookup goes through.

Hidden things answer 404; things a user may see but not act on answer 403.
"""

from __future__ import annotations

from enum import StrEnum


class Side(StrEnum):
    INSPECTING = "inspecting"
    REVIEWED = "reviewed"


class Role(StrEnum):
    LEAD_OFFICER = "lead_officer"
    INSPECTOR = "inspector"
    OBSERVER = "observer"
    NOMINEE = "nominee"
    CONTRIBUTOR = "contributor"

    @property
    def side(self) -> Side:
        return ROLE_SIDE[self]


ROLE_SIDE: dict[Role, Side] = {
    Role.LEAD_OFFICER: Side.INSPECTING,
    Role.INSPECTOR: Side.INSPECTING,
    Role.OBSERVER: Side.INSPECTING,
    Role.NOMINEE: Side.REVIEWED,
    Role.CONTRIBUTOR: Side.REVIEWED,
}

INSPECTING_ROLES = frozenset(
    r for r, side in ROLE_SIDE.items() if side is Side.INSPECTING
)
REVIEWED_ROLES = frozenset(r for r, side in ROLE_SIDE.items() if side is Side.REVIEWED)


class Capability(StrEnum):
    # Scope of sight: every workspace of the review, or only one's own.
    VIEW_ALL_WORKSPACES = "view_all_workspaces"
    VIEW_OWN_WORKSPACE = "view_own_workspace"
    VIEW_MEMBERS = "view_members"
    # Evidence.
    UPLOAD_TO_ANY_WORKSPACE = "upload_to_any_workspace"
    UPLOAD_TO_OWN_WORKSPACE = "upload_to_own_workspace"
    WITHDRAW_IN_ANY_WORKSPACE = "withdraw_in_any_workspace"
    WITHDRAW_IN_OWN_WORKSPACE = "withdraw_in_own_workspace"
    # Request lists: ask for evidence, accept it or return it.
    MAKE_REQUESTS = "make_requests"
    # Share a workspace's requests out among its own people.
    ASSIGN_OWN_REQUESTS = "assign_own_requests"
    # Membership: whom a member may add, re-role or remove (always users of
    # their own organisation), and to which roles.
    MANAGE_OWN_BODY_MEMBERS = "manage_own_body_members"
    MANAGE_OWN_CONTRIBUTORS = "manage_own_contributors"
    # Records: the review's audit trail, and its close-out export (whole
    # review, or one's own workspace).
    VIEW_AUDIT = "view_audit"
    EXPORT_REVIEW = "export_review"
    EXPORT_OWN_WORKSPACE = "export_own_workspace"


ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.LEAD_OFFICER: frozenset(
        {
            Capability.VIEW_ALL_WORKSPACES,
            Capability.VIEW_MEMBERS,
            Capability.UPLOAD_TO_ANY_WORKSPACE,
            Capability.WITHDRAW_IN_ANY_WORKSPACE,
            Capability.MAKE_REQUESTS,
            Capability.MANAGE_OWN_BODY_MEMBERS,
            Capability.VIEW_AUDIT,
            Capability.EXPORT_REVIEW,
        }
    ),
    Role.INSPECTOR: frozenset(
        {
            Capability.VIEW_ALL_WORKSPACES,
            Capability.VIEW_MEMBERS,
            Capability.UPLOAD_TO_ANY_WORKSPACE,
            Capability.MAKE_REQUESTS,
        }
    ),
    Role.OBSERVER: frozenset({Capability.VIEW_ALL_WORKSPACES, Capability.VIEW_MEMBERS}),
    Role.NOMINEE: frozenset(
        {
            Capability.VIEW_OWN_WORKSPACE,
            Capability.UPLOAD_TO_OWN_WORKSPACE,
            Capability.WITHDRAW_IN_OWN_WORKSPACE,
            Capability.ASSIGN_OWN_REQUESTS,
            Capability.MANAGE_OWN_CONTRIBUTORS,
            Capability.EXPORT_OWN_WORKSPACE,
        }
    ),
    Role.CONTRIBUTOR: frozenset(
        {Capability.VIEW_OWN_WORKSPACE, Capability.UPLOAD_TO_OWN_WORKSPACE}
    ),
}

# The roles a member with a managing capability may hand out.
GRANTABLE_ROLES: dict[Capability, frozenset[Role]] = {
    Capability.MANAGE_OWN_BODY_MEMBERS: INSPECTING_ROLES,
    Capability.MANAGE_OWN_CONTRIBUTORS: frozenset({Role.CONTRIBUTOR}),
}


def has_capability(role: Role | None, capability: Capability) -> bool:
    """Whether a review role carries a capability (no role: nothing)."""
    return role is not None and capability in ROLE_CAPABILITIES[role]


def roles_with(capability: Capability) -> frozenset[Role]:
    """Every role that carries ``capability``: used to build SQL filters."""
    return frozenset(r for r, caps in ROLE_CAPABILITIES.items() if capability in caps)
