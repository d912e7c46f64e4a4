"""Test data: organisations, users in every role, a review, signed-in clients."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from app.accounts import services as account_services
from app.accounts.models import Locale, Organisation, OrganisationKind, User
from app.auth.models import ApiToken
from app.auth.queries import hash_token
from app.core.db import db, utcnow
from app.core.permissions import Role
from app.reviews import services as review_services
from app.reviews.models import Review, Workspace
from support.api import ApiClient

PASSWORD = "correct horse battery staple 42"

# The callers of the permission matrix: five review roles, an administrator,
# a signed-in non-member, and nobody.
ROLE_NAMES = [
    "lead_officer",
    "inspector",
    "observer",
    "nominee",
    "contributor",
    "admin",
    "non_member",
    "anonymous",
]


class Factory:
    """Makes rows through the real services (so their rules apply)."""

    def __init__(self) -> None:
        self._admin: User | None = None
        self.counter = 0

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    @property
    def admin(self) -> User:
        if self._admin is None:
            self._admin = account_services.create_user(
                None,
                email=f"root-{uuid.uuid4().hex[:8]}@admin.test",
                name="Root Admin",
                organisation_id=None,
                password=PASSWORD,
                is_admin=True,
            )
        return self._admin

    def organisation(
        self, slug: str | None = None, kind: OrganisationKind = OrganisationKind.OTHER
    ) -> Organisation:
        slug = slug or f"org-{self._next()}"
        return account_services.create_organisation(
            self.admin, slug=slug, name=slug.upper(), name_cy=None, kind=kind
        )

    def user(
        self,
        organisation: Organisation | None,
        *,
        name: str | None = None,
        is_admin: bool = False,
        locale: Locale = Locale.EN,
    ) -> User:
        # Straight to the table: create_user's rules (strength, uniqueness)
        # have their own tests, and scoring every fixture password is slow.
        n = self._next()
        user = User(
            email=f"user{n}-{uuid.uuid4().hex[:6]}@example.org",
            name=name or f"User {n}",
            organisation_id=organisation.id if organisation else None,
            password_hash=_password_hash(),
            is_admin=is_admin,
            locale=locale,
        )
        db.session.add(user)
        db.session.commit()
        return user

    def review(
        self,
        inspecting: list[Organisation],
        reviewed: list[Organisation],
        title: str = "A joint review",
    ) -> Review:
        return review_services.create_review(
            self.admin,
            title=title,
            title_cy=None,
            inspecting=[o.id for o in inspecting],
            reviewed=[o.id for o in reviewed],
        )

    def member(self, review: Review, user: User, role: Role) -> None:
        review_services.set_member(self.admin, review, user.id, role)


_HASHES: dict[str, str] = {}


def _password_hash() -> str:
    from app.auth.services import hash_password

    if "hash" not in _HASHES:
        _HASHES["hash"] = hash_password(PASSWORD)
    return _HASHES["hash"]


def make_token(
    user: User, *, ttl: timedelta = timedelta(hours=1), commit: bool = True
) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(
            user_id=user.id, token_hash=hash_token(token), expires_at=utcnow() + ttl
        )
    )
    if commit:
        db.session.commit()
    return token


@dataclass
class World:
    """Two inspecting bodies, two reviewed consortia, an outsider, and a user
    in every role. ``users["nominee"]`` etc. belong to ``erw`` (workspace
    ``ws``); ``csc_*`` to the other reviewed party."""

    factory: Factory
    estyn: Organisation
    audit: Organisation
    erw: Organisation
    csc: Organisation
    outsider_org: Organisation
    review: Review
    ws: Workspace
    csc_ws: Workspace
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, who: str, flask_client: FlaskClient) -> ApiClient:
        return ApiClient(flask_client, self.tokens.get(who))


def build_world(factory: Factory) -> World:
    estyn = factory.organisation("estyn", OrganisationKind.INSPECTORATE)
    audit = factory.organisation("audit-wales", OrganisationKind.AUDIT_BODY)
    erw = factory.organisation("erw", OrganisationKind.CONSORTIUM)
    csc = factory.organisation("csc", OrganisationKind.CONSORTIUM)
    outsider_org = factory.organisation("elsewhere", OrganisationKind.SCHOOL)
    review = factory.review([estyn, audit], [erw, csc])
    workspaces = {w.organisation_id: w for w in review.workspaces}
    world = World(
        factory=factory,
        estyn=estyn,
        audit=audit,
        erw=erw,
        csc=csc,
        outsider_org=outsider_org,
        review=review,
        ws=workspaces[erw.id],
        csc_ws=workspaces[csc.id],
    )
    plan: list[tuple[str, Organisation | None, Role | None]] = [
        ("lead_officer", estyn, Role.LEAD_OFFICER),
        ("inspector", estyn, Role.INSPECTOR),
        ("observer", estyn, Role.OBSERVER),
        ("audit_lead", audit, Role.LEAD_OFFICER),
        ("audit_inspector", audit, Role.INSPECTOR),
        ("nominee", erw, Role.NOMINEE),
        ("contributor", erw, Role.CONTRIBUTOR),
        ("csc_nominee", csc, Role.NOMINEE),
        ("csc_contributor", csc, Role.CONTRIBUTOR),
        ("non_member", outsider_org, None),
    ]
    for name, org, role in plan:
        user = factory.user(org, name=name)
        world.users[name] = user
        if role is not None:
            factory.member(review, user, role)
    world.users["admin"] = factory.admin
    # Users not (yet) in the review, for membership tests.
    world.users["estyn_spare"] = factory.user(estyn, name="estyn_spare")
    world.users["erw_spare"] = factory.user(erw, name="erw_spare")
    world.users["csc_spare"] = factory.user(csc, name="csc_spare")
    for name, user in world.users.items():
        world.tokens[name] = make_token(user, commit=False)
    db.session.commit()
    return world


def ids(*objects: Any) -> list[str]:
    return [str(o.id) for o in objects]
