"""Feed health for a caller: its own feed (a terminal's TERMINAL events, an enterprise's ENTERPRISE
events), or every feed for the port office, from the stored events and the dead-letter topic."""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.access import Principal
from models.feed_health import Feed, feed_activity, silence_limit, stored_feeds
from models.user import Role
from portal.feeds.dead_letters import DeadLetter, DeadLetterScan

LATEST_SHOWN = 5


def own_feed(principal: Principal) -> Feed | None:
    """The one feed a terminal or an enterprise sees; None for the port office (it sees all)."""
    if principal.role == Role.TERMINAL.value and principal.terminal:
        return ("TERMINAL", principal.terminal)
    if principal.role == Role.ENTERPRISE.value and principal.uscc:
        return ("ENTERPRISE", principal.uscc)
    return None


def feed_health(session: Session, principal: Principal, scan: DeadLetterScan, now: datetime) -> dict[str, Any]:
    """The body of GET /api/v1/feeds for this caller."""
    mine = own_feed(principal)
    everyone = principal.role == Role.PORT_OFFICE.value
    letters = [d for d in scan.letters if everyone or (d.source, d.publisher) == mine]
    feeds: set[tuple[str | None, str]] = set(stored_feeds(session)) if everyone else ({mine} if mine else set())
    feeds |= {(d.source, d.publisher) for d in letters}
    publishers = [_publisher(session, feed, [d for d in letters if (d.source, d.publisher) == feed], now)
                  for feed in sorted(feeds, key=lambda f: (f[0] or "", f[1]))]
    return {"as_of": _utc(now), "publishers": publishers,
            "dead_letters_unavailable": scan.unavailable, "dead_letters_truncated": scan.truncated}


def _publisher(session: Session, feed: tuple[str | None, str], letters: list[DeadLetter],
               now: datetime) -> dict[str, Any]:
    source, publisher = feed
    activity = feed_activity(session, (source, publisher), now) if source is not None else None
    gap = activity.usual_gap if activity else None
    return {
        "publisher": publisher, "source": source,
        "accepted_last_hour": activity.accepted_last_hour if activity else 0,
        "last_event_at": _utc(activity.last_event_at) if activity and activity.last_event_at else None,
        "silent": activity.silent if activity else True,
        "usual_gap_seconds": gap.total_seconds() if gap is not None else None,
        "silent_after_seconds": silence_limit(gap).total_seconds(),
        "dead_letters": dict(sorted(Counter(d.reason for d in letters).items())),
        "latest_dead_letters": [_shown(d) for d in reversed(letters[-LATEST_SHOWN:])],
    }


def _shown(letter: DeadLetter) -> dict[str, Any]:
    return {"at": _utc(letter.at), "reason": letter.reason, "original": letter.original,
            "partition": letter.partition, "offset": letter.offset, "source_offset": letter.source_offset}


def _utc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
