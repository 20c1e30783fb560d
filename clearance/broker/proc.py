"""Small process and file helpers used by :mod:`clearance.broker.local`.

Everything here is POSIX-only (Linux first, with a ``ps`` fallback where
``/proc`` does not exist).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import subprocess
from collections import deque
from collections.abc import Iterator
from pathlib import Path

_HAVE_PROC = Path("/proc/self/stat").exists()


def pid_alive(pid: int) -> bool:
    """Return True when ``pid`` names a live process (zombies count as dead)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if not _HAVE_PROC:
        return _ps_alive(pid)
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return False  # it exited between the two checks
    except OSError:
        return True
    # Field 3 (after "pid (comm)") is the state; "Z" is a zombie, "X" dead.
    state = text.rpartition(")")[2].split()[:1]
    return not state or state[0] not in ("Z", "X")


def _ps_alive(pid: int) -> bool:
    try:
        out = subprocess.run(
            ["ps", "-o", "stat=", "-p", str(pid)],
            capture_output=True, text=True, timeout=5, check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return True
    return bool(out) and not out.startswith("Z")


def cmdline(pid: int) -> list[str] | None:
    """Return the argument vector of ``pid`` or None when it cannot be read."""
    if _HAVE_PROC:
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        if not raw:
            return None
        return [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]
    try:
        out = subprocess.run(
            ["ps", "-o", "args=", "-p", str(pid)],
            capture_output=True, text=True, timeout=5, check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out.split() if out else None


def read_pid(path: Path) -> int | None:
    """Read a pid file; None if it is missing or does not hold a positive integer."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        pid = int(text)
    except ValueError:
        return None
    return pid if pid > 0 else None


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def remove_quietly(path: Path) -> None:
    """Delete ``path`` if it exists."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def tail(path: Path, lines: int = 30) -> list[str]:
    """Return the last ``lines`` lines of a text file (empty list if unreadable)."""
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            return [line.rstrip("\n") for line in deque(handle, maxlen=lines)]
    except OSError:
        return []


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """Return True when a TCP connection to ``host:port`` succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if needed) for the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
