"""A live one-line progress report: rewritten in place on a terminal (cut to its width, so that it never
wraps and leaves half-lines behind), a line every few seconds otherwise, and always the final state on
close."""
from __future__ import annotations

import shutil
import sys
import time
import unicodedata
from typing import Any, TextIO


class ProgressLine:
    def __init__(self, label: str, stream: TextIO | None = None, log_every: float = 5.0,
                 live: bool | None = None) -> None:
        """`live`: rewrite in place; by default when `stream` is a terminal. Pass False when something
        else writes to the same terminal (`clearance run --verbose`)."""
        self.label = label
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.log_every = log_every
        self.last_printed = 0.0
        self.unprinted: str | None = None

    def show(self, stats: Any) -> None:
        text = f"[{self.label}] {stats.line()}"
        if self.live:
            self.stream.write("\r\033[K" + _fit(text, shutil.get_terminal_size().columns - 1))
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


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` terminal columns (CJK characters take two)."""
    used = 0
    for index, character in enumerate(text):
        used += 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1
        if used > width:
            return text[:max(0, index - 1)] + "…"
    return text
