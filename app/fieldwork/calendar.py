"""A user's sessions as an iCalendar feed (RFC 5545), by icalendar.

One VEVENT per session the user may see, with a stable UID (the session's
id), DTSTART/DTEND in UTC, the SUMMARY in the user's language, LOCATION,
and a link to the review. Calendar programs poll it: no secrets in it
beyond what the user may see in the portal.
"""

from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa
from icalendar import Calendar, Event

from app.accounts.models import User
from app.core.db import db, utcnow
from app.fieldwork.models import Session
from app.fieldwork.queries import calendar_sessions
from app.reviews.models import Review

PRODID = "-//Joint Inspection Room//Fieldwork//EN"


def feed(user: User, base_url: str) -> bytes:
    welsh = user.locale.value == "cy"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Ystafell Arolygu" if welsh else "Inspection Room")
    sessions = calendar_sessions(user)
    reviews = {
        r.id: r
        for r in db.session.scalars(
            sa.select(Review).where(Review.id.in_({s.review_id for s in sessions}))
        )
    }
    stamp = utcnow()
    for session in sessions:
        calendar.add_component(
            _event(session, reviews[session.review_id], welsh, base_url, stamp)
        )
    return calendar.to_ical()


def _event(
    session: Session, review: Review, welsh: bool, base_url: str, stamp
) -> Event:
    event = Event()
    event.add("uid", f"session-{session.id}@inspection-room")
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    title = session.title_cy if welsh and session.title_cy else session.title
    review_title = review.title_cy if welsh and review.title_cy else review.title
    event.add("summary", title)
    if session.location:
        event.add("location", session.location)
    event.add("description", review_title)
    event.add("url", f"{base_url.rstrip('/')}/sessions/{session.id}")
    return event
