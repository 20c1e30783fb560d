"""A live one-line progress report: rewritten in place on a terminal, a line every few seconds in a log,
and always the final state on close."""
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
        self.last_printed = 0.0
        self.unprinted: str | None = None

    def show(self, stats: Any) -> None:
        text = f"[{self.label}] {stats.line()}"
        if self.live:
            self.stream.write("\r\033[K" + text)
            self.stream.flush()
        elif time.monotonic() - self.last_printed >= self.log_every:
            self.last_printed = time.monotonic()
            self.unprinted = None
            print(text, file=self.stream, flush=True)
        else:
            self.unprinted = text

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
        elif self.unprinted:
            print(self.unprinted, file=self.stream)
        self.stream.flush()
