"""How each publisher's feed is doing, from the stored events themselves (the events table, through
its (source, publisher, occurred_at) index): how many of its events fall in the last hour, its newest
one, and whether it has gone silent for longer than it usually does (SILENCE, a rule table).

"Accepted" is what ingest stored: the events table keeps no arrival time, so an event counts in the
hour its `occurred_at` falls in. Only ACTUAL events at or before now say a feed is alive (an ESTIMATED
vessel time may lie ahead). Functions take a Session first and only read.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from models.event import StoredEvent

Feed = tuple[str, str]  # (source, publisher)


@dataclass(frozen=True)
class SilenceRule:
    """A feed is silent when its newest event is older than `factor` times its usual gap (the
    `percentile` of the gaps between its last `history` events), kept between `floor` and `ceiling`;
    with fewer than `min_history` events there is no usual gap, and `ceiling` alone applies."""

    history: int
    min_history: int
    percentile: float
    factor: float
    floor: timedelta
    ceiling: timedelta


SILENCE = SilenceRule(history=200, min_history=5, percentile=0.9, factor=3.0, floor=timedelta(minutes=10),
                      ceiling=timedelta(hours=24))
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class FeedActivity:
    source: str
    publisher: str
    accepted_last_hour: int
    last_event_at: datetime | None
    usual_gap: timedelta | None
    silent: bool


# One index seek per publisher instead of reading every row: the next (source, publisher) after the last.
_FEEDS = text("""
WITH RECURSIVE feeds(source, publisher) AS (
  SELECT source, publisher FROM (SELECT source, publisher FROM events ORDER BY source, publisher LIMIT 1) AS first
  UNION ALL
  SELECT (SELECT e.source FROM events e WHERE (e.source, e.publisher) > (f.source, f.publisher)
          ORDER BY e.source, e.publisher LIMIT 1),
         (SELECT e.publisher FROM events e WHERE (e.source, e.publisher) > (f.source, f.publisher)
          ORDER BY e.source, e.publisher LIMIT 1)
  FROM feeds f WHERE f.source IS NOT NULL
)
SELECT source, publisher FROM feeds WHERE source IS NOT NULL
""")


def stored_feeds(session: Session) -> list[Feed]:
    """Every (source, publisher) with a stored event, sorted."""
    return [(row.source, row.publisher) for row in session.execute(_FEEDS)]


def feed_activity(session: Session, feed: Feed, now: datetime, rule: SilenceRule = SILENCE) -> FeedActivity:
    """The feed's last hour, newest ACTUAL event and silence, as of `now` (aware UTC)."""
    source, publisher = feed
    mine = (StoredEvent.source == source, StoredEvent.publisher == publisher)
    in_hour = session.scalar(select(func.count()).select_from(StoredEvent).where(
        *mine, StoredEvent.occurred_at > now - HOUR, StoredEvent.occurred_at <= now)) or 0
    recent = list(session.scalars(select(StoredEvent.occurred_at).where(
        *mine, StoredEvent.occurred_at <= now, StoredEvent.classifier == "ACTUAL")
        .order_by(StoredEvent.occurred_at.desc()).limit(rule.history)))
    gap = usual_gap(recent, rule)
    last = recent[0] if recent else None
    return FeedActivity(source, publisher, in_hour, last, gap, is_silent(last, gap, now, rule))


def usual_gap(newest_first: Sequence[datetime], rule: SilenceRule = SILENCE) -> timedelta | None:
    """The `rule.percentile` gap between consecutive events (None with too little history)."""
    if len(newest_first) < rule.min_history:
        return None
    gaps = sorted(a - b for a, b in zip(newest_first, newest_first[1:]))
    return gaps[min(len(gaps) - 1, int(rule.percentile * len(gaps)))]


def silence_limit(gap: timedelta | None, rule: SilenceRule = SILENCE) -> timedelta:
    """How long the feed may stay quiet before it counts as silent."""
    if gap is None:
        return rule.ceiling
    return min(rule.ceiling, max(rule.floor, gap * rule.factor))


def is_silent(last: datetime | None, gap: timedelta | None, now: datetime, rule: SilenceRule = SILENCE) -> bool:
    """A feed with no ACTUAL event at all is silent; else when its newest is older than its limit."""
    return last is None or now - last > silence_limit(gap, rule)
