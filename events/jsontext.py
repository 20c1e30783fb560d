"""JSON text, fast: orjson where it writes what the standard library would mean, the standard library
where orjson refuses (integers past 64 bits, which event details may hold). Writing only: orjson reads
such integers as floats, so reading stays with `json`."""
from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(value: Any) -> str:
    """Compact JSON, characters outside ASCII written as they are."""
    return dumps_bytes(value).decode()


def dumps_bytes(value: Any) -> bytes:
    """`dumps` as UTF-8 bytes (a Kafka message value)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def dumps_sorted(value: Any) -> bytes:
    """Keys sorted at every level, for hashing: equal values give equal bytes."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str)
    except TypeError:
        return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":")).encode()
