"""A live one-line progress report: rewritten in place on a terminal, a line every few seconds in a log."""
from __future__ import annotations

import sys
import time
from typing import Any, TextIO


class ProgressLine:
    def __init__(self, label: str, stream: TextIO | None = None, log_every: float = 5.0) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.log_every = log_every
        self.last = 0.0

    def show(self, stats: Any) -> None:
        text = f"[{self.label}] {stats.line()}"
        if self.live:
            self.stream.write("\r\033[K" + text)
            self.stream.flush()
        elif time.monotonic() - self.last >= self.log_every:
            self.last = time.monotonic()
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()
