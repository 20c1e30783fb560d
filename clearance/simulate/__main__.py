"""`python -m clearance.simulate`: print a stream as JSON lines, without Kafka (to look at the data).

Each line: {"key", "valid", "kind", "value"} with the decoded event, or "value_base64" for a value that
is not JSON text. --summary prints the count of each kind and the generation rate instead.
"""
from __future__ import annotations

import argparse
import base64
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from clearance.simulate import SimConfig, SimMessage, generate


def _line(message: SimMessage) -> str:
    out: dict[str, object] = {"key": message.key.decode(errors="replace") if message.key else None,
                              "valid": message.valid, "kind": message.kind}
    try:
        out["value"] = json.loads(message.value)
    except ValueError:
        out["value_base64"] = base64.b64encode(message.value).decode()
    return json.dumps(out, ensure_ascii=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse the options, generate, print."""
    parser = argparse.ArgumentParser(prog="python -m clearance.simulate", description=__doc__)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--start", type=datetime.fromisoformat, default=None, help="RFC 3339, with offset")
    parser.add_argument("--summary", action="store_true", help="counts per kind and msg/s only")
    args = parser.parse_args(argv)
    options = {"start": args.start} if args.start else {}
    config = SimConfig(seed=args.seed, count=args.count, speed=args.speed, **options)
    if not args.summary:
        for message in generate(config):
            print(_line(message))
        return 0
    began = time.perf_counter()
    kinds = Counter(message.kind for message in generate(config))
    elapsed = time.perf_counter() - began
    for kind, n in kinds.most_common():
        print(f"{kind:36} {n:8,}")
    print(f"{sum(kinds.values()):,} messages in {elapsed:.2f} s: {sum(kinds.values()) / elapsed:,.0f} msg/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
