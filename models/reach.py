"""What reaches a container, and a worker's memory of it between batches.

A container's state is a pure function of the stored events that reach it (models.visits). Reading them
back for every batch that touches the container was the largest cost of ingest. A worker therefore keeps
the `Reach` of the containers it rebuilt lately and, on the next batch, applies that batch's changes to it
instead of reading the container's history again.

The memory is only trusted while nobody else changed the container: every rebuild writes a fresh random
`reach_token` on the container row, and an entry is used only when the row still holds the token this
worker wrote. Another worker's batch, or a transaction of ours that rolled back, leaves a different token,
and the container is read from the database as before. A batch that links a container to a declaration
or vessel call for the first time brings that declaration's or call's stored events (read by
declaration or call, not by container); one that replaces a retraction notice with a newer version
(what it withdrew may come back) makes the worker read every container it reaches from the database.
"""
from __future__ import annotations

import random
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from events.codec import ClearanceEvent
from events.vocabulary import Scope

Key = tuple[str, str, str]  # (source, publisher, event_id)
Call = tuple[str, str]  # (vessel_imo, voyage)


@dataclass
class Reach:
    """Every stored event that reaches one container (retraction notices included), the keys among them
    that some stored notice withdraws, and the declarations and vessel calls the container is linked to."""

    events: dict[Key, ClearanceEvent] = field(default_factory=dict)
    retracted: set[Key] = field(default_factory=set)
    declarations: set[str] = field(default_factory=set)
    calls: set[Call] = field(default_factory=set)


class BatchChange:
    """What one batch stored: the new events and versions, the versions they replaced, and which of the
    new ones a stored retraction notice already withdraws; indexed by what they reach."""

    def __init__(self, fresh: Sequence[ClearanceEvent], replaced: Sequence[ClearanceEvent],
                 withdrawn: frozenset[Key]) -> None:
        self.withdrawn = withdrawn
        self.notices_replaced = any(e.retracts is not None for e in replaced)
        self.replaced_keys = frozenset(e.key for e in replaced)
        self.notice_targets = frozenset(e.retracted_key for e in fresh if e.retracted_key is not None)
        self.covering: dict[str, list[ClearanceEvent]] = defaultdict(list)  # container -> events naming it
        self.by_declaration: dict[str, list[ClearanceEvent]] = defaultdict(list)  # no container_no
        self.by_call: dict[Call, list[ClearanceEvent]] = defaultdict(list)  # vessel events
        for e in fresh:
            for container_no in {e.container_no, *e.containers} - {None}:
                self.covering[container_no].append(e)  # type: ignore[index]
            if e.container_no is None and e.declaration_no is not None:
                self.by_declaration[e.declaration_no].append(e)
            if e.scope is Scope.VESSEL:
                self.by_call[(e.vessel_imo, e.voyage)].append(e)  # type: ignore[index]

    def candidates(self, container_no: str, reach: Reach) -> list[ClearanceEvent]:
        """The new events that may reach this container (`reaches` decides)."""
        found = list(self.covering.get(container_no, ()))
        for declaration_no in reach.declarations & self.by_declaration.keys():
            found += self.by_declaration[declaration_no]
        for call in reach.calls & self.by_call.keys():
            found += self.by_call[call]
        return found


def new_token() -> int:
    return random.getrandbits(62)


def reaches(event: ClearanceEvent, container_no: str, reach: Reach) -> bool:
    """Whether a stored event belongs to this container (the rule links.load_reach queries by)."""
    if event.container_no == container_no:
        return True
    if event.container_no is None and event.declaration_no in reach.declarations:
        return True
    return event.scope is Scope.VESSEL and (event.vessel_imo, event.voyage) in reach.calls


def new_links(container_no: str, reach: Reach, change: BatchChange) -> tuple[set[str], set[Call]]:
    """The declarations and vessel calls this batch links the container to for the first time (the
    rule links.add writes by)."""
    declarations: set[str] = set()
    calls: set[Call] = set()
    for e in change.covering.get(container_no, ()):
        if e.declaration_no is not None and e.declaration_no not in reach.declarations:
            declarations.add(e.declaration_no)
        if e.vessel_imo and e.voyage and e.scope is not Scope.VESSEL and (e.vessel_imo, e.voyage) not in reach.calls:
            calls.add((e.vessel_imo, e.voyage))
    return declarations, calls


@dataclass(frozen=True)
class Linked:
    """The stored events of some declarations (declaration-level ones) and vessel calls (vessel events),
    and which of them a stored notice withdraws: what a new link brings to a container."""

    by_declaration: dict[str, list[ClearanceEvent]]
    by_call: dict[Call, list[ClearanceEvent]]
    withdrawn: frozenset[Key]


def merged(container_no: str, reach: Reach, change: BatchChange, linked: Linked,
           links: tuple[set[str], set[Call]]) -> Reach | None:
    """The container's reach after this batch, given its `new_links` and what they bring (`linked`), or
    None when the batch alone does not tell (a retraction notice was replaced by a newer version: what
    it withdrew may come back)."""
    if change.notices_replaced:
        return None
    declarations, calls = links
    after = Reach(dict(reach.events), set(), reach.declarations | declarations, reach.calls | calls)
    for key in change.replaced_keys & after.events.keys():
        del after.events[key]
    for e in [*(e for d in declarations for e in linked.by_declaration.get(d, ())),
              *(e for c in calls for e in linked.by_call.get(c, ())),
              *change.candidates(container_no, after)]:
        if reaches(e, container_no, after):
            after.events[e.key] = e
    withdrawn = reach.retracted | change.withdrawn | change.notice_targets | linked.withdrawn
    after.retracted = withdrawn & after.events.keys()
    return after


class ReachCache:
    """The reaches of the `size` containers rebuilt most recently, each with the token it was written
    under (least recently used dropped first)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[int, Reach]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, container_no: str, token: int | None) -> Reach | None:
        entry = self._entries.get(container_no)
        if entry is None or token is None or entry[0] != token:
            self.misses += 1
            return None
        self._entries.move_to_end(container_no)
        self.hits += 1
        return entry[1]

    def put(self, container_no: str, token: int, reach: Reach) -> None:
        if self.size <= 0:
            return
        self._entries[container_no] = (token, reach)
        self._entries.move_to_end(container_no)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
