"""Real processes serving HTTP on loopback, for tests and benchmarks: a free port, and waiting until a
URL answers while the processes behind it are still alive."""
from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bool:
    """Whether GET url answers 200 now."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:  # refused, reset, timed out, or an HTTP error status
        return False


def wait_for_http(url: str, check_alive: Callable[[], None], timeout: float) -> None:
    """Return once url answers 200; `check_alive` raises when the server's processes have died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check_alive()
        if answers(url):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def free_port_block(size: int) -> int:
    """A first port from which `size` ports are free (a local broker's or cluster's client and
    controller ports)."""
    for base in range(41000, 60000, 97):
        try:
            for port in range(base, base + size):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no block of free ports")


def logged_metrics_url(process: subprocess.Popen[str]) -> str:
    """The base URL a `clearance` process logs as `metrics and health on http://…/` (read from its
    stderr, which must be a text pipe)."""
    assert process.stderr is not None
    for line in process.stderr:
        found = re.search(r"metrics and health on (http://127\.0\.0\.1:\d+)/", line)
        if found:
            return found.group(1)
    raise AssertionError("the port was never logged")
