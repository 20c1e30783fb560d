"""How the change feed packs updates into messages (ingest.change_feed.feed_messages), read back by the
portal's reader (portal.live.feed): every update once, in order, no message over the limit unless one
update alone is."""
from __future__ import annotations

import json

from ingest.change_feed import feed_messages, update_message
from portal.live.feed import _readable


def visits(size: int) -> list[dict[str, str]]:
    return [{"note": "x" * size}]


def test_updates_are_packed_in_order_up_to_the_limit() -> None:
    updates = [(f"C{i:03}", i + 1, visits(100)) for i in range(50)]
    one = len(update_message(*updates[0]))
    messages = feed_messages(updates, limit=10 * one)
    assert len(messages) == 6  # nine updates and their commas fit in ten updates' bytes, not ten
    assert all(len(value) <= 10 * one + len(b'{"updates":[]}') for _, value in messages)
    read = [update for _, value in messages for update in _readable(value)]
    assert read == updates
    assert [key for key, _ in messages] == [json.loads(value)["updates"][0]["container_no"].encode()
                                            for _, value in messages]


def test_an_update_larger_than_the_limit_goes_alone() -> None:
    updates = [("SMALL1", 1, visits(10)), ("LARGE", 2, visits(5000)), ("SMALL2", 3, visits(10))]
    messages = feed_messages(updates, limit=1000)
    assert [[u[0] for u in _readable(value)] for _, value in messages] == [["SMALL1"], ["LARGE"], ["SMALL2"]]


def test_no_updates_no_message() -> None:
    assert feed_messages([]) == []
