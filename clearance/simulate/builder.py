"""Turns planned events into contract JSON objects and message bytes, on a fixed simulated clock.

Simulated seconds t map to wall time origin + t / speed, where origin is chosen (see stream.py) so that
the stream ends at config.start. Timestamps are RFC 3339 with seconds: +08:00 for Chinese publishers,
Z (UTC) for carriers, which publish DCSA-style.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import count
from typing import Any

from clearance.simulate.config import SimConfig
from clearance.simulate.flows import SHARED_EXTRAS
from clearance.simulate.scopes import Plan

# (key, event dict, value bytes, source, published epoch s, occurred epoch s, updated epoch s or None)
Built = tuple[bytes, dict[str, Any], bytes, str, int, int, "int | None"]
ID_PREFIX = {"CUSTOMS": "CUS", "MARITIME": "MSA", "TERMINAL": "TML", "CARRIER": "CAR", "TALLY": "TLY",
             "ENTERPRISE": "ENT"}


class TimeFormat:
    """Fast RFC 3339 formatting of epoch seconds at one fixed UTC offset."""

    def __init__(self, offset_s: int, suffix: str) -> None:
        self.offset, self.suffix = offset_s, suffix
        self.days: dict[int, str] = {}

    def __call__(self, epoch: int) -> str:
        day, second = divmod(epoch + self.offset, 86400)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%dT")
            self.days[day] = prefix
        hour, rest = divmod(second, 3600)
        minute, sec = divmod(rest, 60)
        return f"{prefix}{hour:02d}:{minute:02d}:{sec:02d}{self.suffix}"


def stream_tag(config: SimConfig) -> str:
    """Six hex digits in every event id, different for different configurations (seed, start, count...),
    so that two streams published to one topic do not reuse each other's (source, event_id)."""
    return hashlib.blake2b(repr(config).encode(), digest_size=3).hexdigest()


def _ids(prefix: str) -> Iterator[str]:
    return (f"{prefix}{n:08d}" for n in count(1))


class Builder:
    """Builds events: the clock (origin, speed), per-source event ids, JSON encoding."""

    def __init__(self, config: SimConfig, t_end: float) -> None:
        self.inverse = 1.0 / config.speed
        self.origin = config.start_epoch - t_end * self.inverse
        self.china = TimeFormat(8 * 3600, "+08:00")
        self.utc = TimeFormat(0, "Z")
        tag = stream_tag(config)
        self._ids = {source: _ids(f"{prefix}-{tag}-") for source, prefix in ID_PREFIX.items()}
        self.encode: Callable[[Any], str] = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        # pre-encoded ",…" fragments of the extra-fields dicts shared by many events (module constants)
        self.fragments = {id(extra): "," + self.encode(extra)[1:-1] for extra in SHARED_EXTRAS}

    def epoch(self, t: float) -> int:
        """Wall-clock epoch seconds of simulated time t."""
        return int(self.origin + t * self.inverse)

    def year_of(self, t: float) -> int:
        """Calendar year (China time) of simulated time t."""
        return int(self.china(self.epoch(t))[:4])

    def new_id(self, source: str) -> str:
        """The next event id of `source`."""
        return next(self._ids[source])

    def stamp(self, source: str, epoch: int) -> str:
        """RFC 3339 text of an epoch second, in the offset the source publishes with."""
        return self.utc(epoch) if source == "CARRIER" else self.china(epoch)

    def build(self, plan: Plan) -> Built:
        """One planned event as (key, dict, bytes, source, published, occurred, updated).

        The bytes are what json.dumps(dict) gives, put together from fragments encoded once per scope
        and per shared extra-fields dict: encoding is most of the cost of an event otherwise."""
        t, _n, scope, etype, source, publisher, extra, classifier, t_occ = plan
        key, fields, fragment = scope.resolve(self)
        published = int(self.origin + t * self.inverse)
        stamp = self.utc if source == "CARRIER" else self.china
        event_id = next(self._ids[source])
        event: dict[str, Any] = {"schema_version": 1, "event_id": event_id, "source": source,
                                 "publisher": publisher, "type": etype}
        head = (f'{{"schema_version":1,"event_id":"{event_id}","source":"{source}",'
                f'"publisher":"{publisher}","type":"{etype}","occurred_at":"')
        if t_occ is None:
            occurred, updated = published, None
            event["occurred_at"] = text = stamp(published)
            head = f'{head}{text}"'
        else:
            occurred, updated = int(self.origin + t_occ * self.inverse), published
            event["occurred_at"] = text = stamp(occurred)
            event["updated_at"] = later = stamp(published)
            head = f'{head}{text}","updated_at":"{later}"'
        if classifier is not None:
            event["classifier"] = classifier
            head = f'{head},"classifier":"{classifier}"'
        event.update(fields)
        if extra is None:
            return key, event, f"{head}{fragment}}}".encode(), source, published, occurred, updated
        event.update(extra)
        tail = self.fragments.get(id(extra)) or "," + self.encode(extra)[1:-1]
        return key, event, f"{head}{fragment}{tail}}}".encode(), source, published, occurred, updated


def built_events(builder: Builder, plans: Iterator[Plan]) -> Iterator[Built]:
    """Build every planned event in order."""
    return map(builder.build, plans)
