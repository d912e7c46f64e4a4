"""Who sees an artefact of a review: the one place that decides it.

Every joint-working artefact (notes, hypotheses, visits, sessions, drafts,
headline messages, ...) carries a ``scope`` (``../shared/docs/domain.md``):

=============  ==================  ==========================================
``scope``      also carries        who sees it
=============  ==================  ==========================================
``workspace``  ``workspace_id``    that workspace's members (the reviewed
                                   party's nominees and contributors) and
                                   every inspecting member of the review
``joint``                          every inspecting member of the review
``body``       ``organisation_id`` members of that inspecting organisation
                                   in that review
=============  ==================  ==========================================

Two forms of the same rule, kept side by side so they cannot drift:

- :meth:`Viewer.sees` for one object already loaded (and for the checks
  an author's choices need);
- :func:`visible_clause` for SQL: every ``visible_*`` query of every feature
  adds it, so a list, a count and a lookup by id see exactly what
  :meth:`Viewer.sees` would.

Administrators see nothing here unless they are members: administration is
no licence to read (as for workspaces).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User
from app.core.db import db
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.i18n import _
from app.core.permissions import INSPECTING_ROLES, REVIEWED_ROLES, Role, Side
from app.reviews.models import Membership, Review, Workspace

# Inspecting members who write (observers read what inspectors read).
WRITER_ROLES = frozenset({Role.LEAD_OFFICER, Role.INSPECTOR})


class Scope(StrEnum):
    WORKSPACE = "workspace"
    JOINT = "joint"
    BODY = "body"


SCOPE_ERROR = "Must be one of: " + ", ".join(s.value for s in Scope) + "."


@dataclass(frozen=True)
class Viewer:
    """What one user is in one review, as far as sight goes."""

    user: User
    review_id: uuid.UUID
    role: Role | None
    # A reviewed party's member: the id of their own workspace in the review.
    own_workspace_id: uuid.UUID | None

    @classmethod
    def of(cls, user: User, review: Review | uuid.UUID) -> Viewer:
        review_id = review.id if isinstance(review, Review) else review
        role = db.session.scalar(
            sa.select(Membership.role).where(
                Membership.review_id == review_id, Membership.user_id == user.id
            )
        )
        own = None
        if role is not None and role.side is Side.REVIEWED:
            own = db.session.scalar(
                sa.select(Workspace.id).where(
                    Workspace.review_id == review_id,
                    Workspace.organisation_id == user.organisation_id,
                )
            )
        return cls(user, review_id, role, own)

    @property
    def is_member(self) -> bool:
        return self.role is not None

    @property
    def inspecting(self) -> bool:
        return self.role is not None and self.role.side is Side.INSPECTING

    @property
    def reviewed(self) -> bool:
        return self.role is not None and self.role.side is Side.REVIEWED

    @property
    def writes(self) -> bool:
        """A lead officer or inspector: writes notes, hypotheses, fieldwork."""
        return self.role in WRITER_ROLES

    @property
    def organisation_id(self) -> uuid.UUID | None:
        return self.user.organisation_id

    def sees(
        self,
        scope: Scope,
        workspace_id: uuid.UUID | None,
        organisation_id: uuid.UUID | None,
    ) -> bool:
        """Whether this viewer may see an artefact of this review with that
        scope (and the workspace and organisation it carries)."""
        if self.inspecting:
            if scope is Scope.BODY:
                return (
                    organisation_id is not None
                    and organisation_id == self.organisation_id
                )
            return True
        if self.reviewed:
            return (
                scope is Scope.WORKSPACE
                and workspace_id is not None
                and workspace_id == self.own_workspace_id
            )
        return False

    def author_scope(
        self,
        requested: Scope | None,
        workspace_id: uuid.UUID | None,
        *,
        default: Scope = Scope.JOINT,
        allowed: frozenset[Scope] = frozenset(Scope),
    ) -> tuple[Scope, uuid.UUID | None, uuid.UUID | None]:
        """The ``(scope, workspace_id, organisation_id)`` an artefact this
        viewer writes is stored with, or 400 naming the field at fault.

        Writers choose any scope in ``allowed`` (``default`` if none is
        given; ``body`` always means their own organisation); a reviewed
        party's member writes only in their own workspace's scope. The
        caller has already checked the viewer may write at all.
        """
        if self.reviewed:
            if requested not in (None, Scope.WORKSPACE):
                raise ValidationFailed.field(
                    "scope",
                    _("Your organisation may write only in its own workspace."),
                )
            if workspace_id is not None and workspace_id != self.own_workspace_id:
                raise unknown_workspace()
            return Scope.WORKSPACE, self.own_workspace_id, None
        scope = requested or default
        if scope not in allowed:
            raise ValidationFailed.field(
                "scope",
                _(
                    "Must be one of: %(scopes)s.",
                    scopes=", ".join(s.value for s in Scope if s in allowed),
                ),
            )
        if workspace_id is not None:
            self.require_workspace(workspace_id)
        if scope is Scope.WORKSPACE:
            if workspace_id is None:
                raise ValidationFailed.field(
                    "workspace_id", _("Name the workspace this is shared with.")
                )
            return scope, workspace_id, None
        if scope is Scope.BODY:
            return scope, workspace_id, self.organisation_id
        return scope, workspace_id, None

    def require_workspace(self, workspace_id: uuid.UUID) -> Workspace:
        """A workspace of this review the viewer sees, or 400
        ``fields.workspace_id`` (hidden and absent alike)."""
        workspace = db.session.get(Workspace, workspace_id)
        if (
            workspace is None
            or workspace.review_id != self.review_id
            or not (self.inspecting or workspace.id == self.own_workspace_id)
        ):
            raise unknown_workspace()
        return workspace


def require_inspecting(user: User, review: Review, refusal: str) -> Viewer:
    """The user as an inspecting member of the review: for what is the
    inspecting bodies' own (hypotheses, headline messages, the publication).
    A member on the reviewed side, or an administrator, sees the review but
    not this: 403 with ``refusal``; anyone else: 404."""
    viewer = Viewer.of(user, review)
    if not viewer.is_member and not user.is_admin:
        raise NotFound()
    if not viewer.inspecting:
        raise Forbidden(refusal)
    return viewer


def require_writer(actor: User, review: Review) -> Viewer:
    """The actor as a writer of an open review: a lead officer or inspector
    (403 for other members), and 409 once the review is closed."""
    viewer = Viewer.of(actor, review)
    if not viewer.writes:
        raise Forbidden(_("Only the review's inspectors and lead officers do this."))
    if review.is_closed:
        raise Conflict(_("This review is closed: nothing in it can change."))
    return viewer


def unknown_workspace() -> ValidationFailed:
    return ValidationFailed.field(
        "workspace_id", _("No workspace of this review has this id.")
    )


def visible_clause(
    user: User,
    *,
    review_id: Any,
    scope: Any,
    workspace_id: Any,
    organisation_id: Any,
) -> sa.ColumnElement[bool]:
    """SQL for :meth:`Viewer.sees`, over any reviews: the artefact's columns
    in, a condition true exactly for the rows ``user`` may see."""
    inspecting_reviews = sa.select(Membership.review_id).where(
        Membership.user_id == user.id, Membership.role.in_(INSPECTING_ROLES)
    )
    as_inspector = sa.and_(
        review_id.in_(inspecting_reviews),
        sa.or_(
            scope != Scope.BODY,
            sa.and_(
                organisation_id.is_not(None),
                organisation_id == user.organisation_id,
            )
            if user.organisation_id is not None
            else sa.false(),
        ),
    )
    if user.organisation_id is None:
        return as_inspector
    own_workspaces = (
        sa.select(Workspace.id)
        .join(Membership, Membership.review_id == Workspace.review_id)
        .where(
            Membership.user_id == user.id,
            Membership.role.in_(REVIEWED_ROLES),
            Workspace.organisation_id == user.organisation_id,
        )
    )
    as_reviewed = sa.and_(scope == Scope.WORKSPACE, workspace_id.in_(own_workspaces))
    return sa.or_(as_inspector, as_reviewed)
