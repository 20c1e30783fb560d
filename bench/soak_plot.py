"""bench/soak.py's rows as an SVG of small charts, one per measure against the minute (no plotting
library: a polyline per chart, its axis range written beside it)."""
from __future__ import annotations

from pathlib import Path

CHARTS = (("portal_rss_mib", "portal RSS, MiB"), ("ingest_rss_mib", "ingest RSS, MiB"),
          ("portal_fds", "portal open fds"), ("ingest_fds", "ingest open fds"),
          ("client_p99_ms", "client p99, ms"), ("delivered_share", "delivered share"))
WIDTH, HEIGHT, PAD = 360, 150, 36


def _chart(rows: list[dict[str, float]], key: str, title: str, x0: int, y0: int) -> str:
    xs = [r["minute"] for r in rows]
    ys = [r[key] for r in rows]
    low, high = min(ys + [0.0]), max(ys + [1e-9])
    span_x = max(xs[-1] - xs[0], 1e-9) if len(xs) > 1 else 1.0

    def point(x: float, y: float) -> str:
        px = x0 + PAD + (x - xs[0]) / span_x * (WIDTH - 2 * PAD)
        py = y0 + HEIGHT - PAD - (y - low) / max(high - low, 1e-9) * (HEIGHT - 2 * PAD)
        return f"{px:.1f},{py:.1f}"
    line = " ".join(point(x, y) for x, y in zip(xs, ys))
    return (f'<rect x="{x0}" y="{y0}" width="{WIDTH}" height="{HEIGHT}" fill="white" stroke="#d5dde5"/>'
            f'<text x="{x0 + 8}" y="{y0 + 16}" font-size="12">{title}</text>'
            f'<text x="{x0 + 8}" y="{y0 + HEIGHT - 8}" font-size="10" fill="#5b6b7b">'
            f'{low:,.1f} – {high:,.1f}, minute {xs[0]:.0f}–{xs[-1]:.0f}</text>'
            f'<polyline fill="none" stroke="#0b5394" stroke-width="1.5" points="{line}"/>')


def write_svg(rows: list[dict[str, float]], path: Path, caption: str) -> None:
    if not rows:
        return
    charts = [_chart(rows, key, title, (i % 2) * (WIDTH + 10), 30 + (i // 2) * (HEIGHT + 10))
              for i, (key, title) in enumerate(CHARTS)]
    height = 30 + ((len(CHARTS) + 1) // 2) * (HEIGHT + 10)
    path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * WIDTH + 10}" height="{height}" '
                    f'font-family="sans-serif"><text x="4" y="18" font-size="14">Soak: {caption}</text>'
                    + "".join(charts) + "</svg>\n", encoding="utf-8")
