"""A review's timeline of agreement, for its page: feedback issued (per
workspace), drafts agreed, headline messages agreed, the publication agreed
and the review published; each event only if the reader may see it, through
the same queries as the pages and the API.

- Issued feedback: the inspecting members who see the draft, and the
  members of the workspace it was issued to.
- A draft agreed, a message agreed, the publication agreed: the inspecting
  members who see them (never a reviewed party: agreement is the bodies').
- Published: everyone who sees the review (its stage reads "published").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for

from app.accounts.models import User
from app.core.db import db
from app.core.i18n import _, bilingual
from app.drafts import queries
from app.drafts.models import Draft, DraftKind
from app.reviews.models import Review, Workspace
from app.reviews.visibility import Viewer


@dataclass(frozen=True)
class Event:
    at: datetime
    text: str
    url: str | None = None


def timeline(user: User, review: Review) -> list[Event]:
    """The dated events of ``review`` that ``user`` may see, oldest first."""
    viewer = Viewer.of(user, review)
    events: list[Event] = []
    drafts = list(
        db.session.scalars(
            queries.visible_drafts(user).where(Draft.review_id == review.id)
        )
    )
    workspaces = {
        w.id: w
        for w in db.session.scalars(
            sa.select(Workspace).where(Workspace.review_id == review.id)
        )
    }
    for draft in drafts:
        access = queries.access_of(user, draft, viewer)
        title = bilingual(draft.title, draft.title_cy)
        url = url_for("drafts.draft", draft_id=draft.id)
        own = (
            draft.workspace_id is not None
            and draft.workspace_id == viewer.own_workspace_id
        )
        if (
            draft.kind is DraftKind.FEEDBACK
            and draft.issued_at is not None
            and (access.full or own)
        ):
            workspace = workspaces.get(draft.workspace_id)  # type: ignore[arg-type]
            party = bilingual(workspace.name, workspace.name_cy) if workspace else ""
            events.append(
                Event(
                    draft.issued_at,
                    _(
                        "Feedback issued to %(party)s: %(title)s",
                        party=party,
                        title=title,
                    ),
                    url,
                )
            )
        if access.full and draft.agreed_at is not None:
            events.append(
                Event(
                    draft.agreed_at,
                    _("Agreed by every body: %(title)s", title=title),
                    url,
                )
            )
    if viewer.inspecting:
        events.extend(_messages_agreed(user, review))
        publication = queries.publication_of(review)
        if publication is not None and publication.agreed_at is not None:
            events.append(
                Event(
                    publication.agreed_at,
                    _("Publication agreed by every body"),
                    url_for("drafts.publication", review_id=review.id),
                )
            )
    if review.is_published:
        assert review.published_from is not None
        events.append(
            Event(
                review.published_from,
                _("Published"),
                url_for("drafts.index", review_id=review.id)
                if viewer.is_member
                else None,
            )
        )
    return sorted(events, key=lambda e: e.at)


def _messages_agreed(user: User, review: Review) -> list[Event]:
    """Each agreed headline message, dated by the last body's agreement."""
    from app.messages import queries as message_queries
    from app.messages.models import MessageStatus

    messages = message_queries.all_messages(user, review)
    standings = message_queries.standings(messages, user)
    events = []
    for message in messages:
        standing = standings[message.id]
        if standing.status is MessageStatus.AGREED and standing.agreements:
            events.append(
                Event(
                    max(a.at for a in standing.agreements),
                    _("Headline message %(number)d agreed", number=message.number),
                    url_for("messages.message", message_id=message.id),
                )
            )
    return events
