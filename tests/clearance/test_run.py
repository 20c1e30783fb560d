"""`clearance run`, the main job: one clean status line on the terminal, the processes' output in log
files under the data folder."""
from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from clearance.monitor import PipelineStatus
from clearance.progress import ProgressLine
from models import StoredEvent
from models.db import make_engine, session_factory
from portal.live.presence import PRESENCE_FILE, read_presence, write_presence
from tests.conftest import settings_env
from tests.support.http import free_port
from tests.support.pipeline import wait_until

REASON = "schema_version: Missing data for required field."


def test_the_status_line_shows_every_figure() -> None:
    status = PipelineStatus(stored=12_345, containers=2_001, dead_lettered=120, lag=7, stored_per_second=48.4,
                            latest_dead_letter=REASON, live_clients=3)
    assert status.line() == ("stored 12,345 events (48/s) · 2,001 containers · lag 7 · live clients 3 · "
                             f"dead-lettered 120 (latest: {REASON})")


def test_the_status_line_says_what_it_does_not_know_yet() -> None:
    line = PipelineStatus(stored=0, containers=0, dead_lettered=None, lag=None).line()
    assert line == "stored 0 events · 0 containers · lag ? · live clients ? · dead-lettered ?"


def test_a_long_reason_is_cut_and_kept_on_one_line() -> None:
    reason = "event_id: " + "x" * 200 + "\nsecond line"
    line = PipelineStatus(1, 1, 1, 0, latest_dead_letter=reason).line()
    assert "\n" not in line and line.endswith("…)") and len(line) < 160


def test_on_a_terminal_the_line_is_rewritten_in_place_within_its_width(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "80")
    stream = io.StringIO()
    progress = ProgressLine("run", stream=stream, live=True)
    status = PipelineStatus(5, 2, 1, 0, latest_dead_letter="烟台" * 200)
    progress.show(status)
    progress.show(status)
    progress.close()
    first, second = stream.getvalue().split("\r\033[K")[1:]
    assert first.startswith("[run] stored 5 events") and first.endswith("…") and len(first) <= 80 - 1
    assert second.endswith("…\n")


def test_the_portals_live_client_count_is_read_only_while_fresh(tmp_path: Path) -> None:
    path = tmp_path / PRESENCE_FILE
    assert read_presence(path) is None
    write_presence(path, 4)
    assert read_presence(path) == 4
    assert read_presence(path, now=time.time() + 60) is None  # the portal stopped writing
    path.write_text('{"pid": 999999999, "live_clients": 4, "written_at": %s}' % time.time())
    assert read_presence(path) is None  # the process that wrote it is gone


def figure(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    assert match, text
    return int(match.group(1).replace(",", ""))


def test_clearance_run_keeps_the_processes_output_in_log_files(sqlite_url, make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    env = settings_env(make_settings(sqlite_url)) | {"PORTAL_PORT": str(port), "COLUMNS": "80"}
    started = datetime.now(UTC)
    result = subprocess.run([sys.executable, "-m", "clearance.cli", "run", "--duration", "12", "--history-days", "2",
                             "--seed", "7"], env=env, capture_output=True, text=True, timeout=240)
    ended = datetime.now(UTC)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "(answering already: using it)" in out and not (tmp_path / "kafka").exists()  # the test broker
    assert f"Portal: http://127.0.0.1:{port}/" in out and "demo-port-office" in out
    assert f"Logs: {tmp_path / 'logs'}/" in out
    logs = {path.name: path.read_text() for path in (tmp_path / "logs").glob("*.log")}
    assert {"ingest-1.log", "ingest-2.log", "portal.log", "alerts.log", "simulate.log", "run.log"} <= set(logs)
    warnings = [line for name, text in logs.items() if name.startswith("ingest-")
                for line in text.splitlines() if " WARNING ingest.dead_letters: dead letter " in line]
    assert warnings  # the simulator sends malformed messages on purpose: they are logged, in the files
    assert "WARNING" not in out and "WARNING" not in result.stderr and "Traceback" not in out + result.stderr
    assert "portal: http://" in logs["portal.log"]
    statuses = [line for line in out.splitlines() if line.startswith("[run] ")]
    assert len(statuses) >= 3, out  # not a terminal: a line every few seconds
    assert any("live clients 0" in line for line in statuses)  # the portal's count, read from its file
    final = next(line for line in out.splitlines() if line.startswith("Final: "))
    assert figure(r"stored ([\d,]+) events", final) > 0 and figure(r"dead-lettered ([\d,]+)", final) > 0
    assert "(latest: " in final
    # the history phase: a progress bar, then two days of events dated before the run started, all stored
    history = [line for line in out.splitlines() if line.startswith("[history] ")]
    assert history and "100%" in history[-1] and "lag 0" in history[-1], out
    assert re.search(r"^History: [\d,]+ messages, 2 days to now; live from here on$", out, re.M), out
    moments = _stored_moments(sqlite_url)
    days = Counter((started - moment).days for moment in moments)
    assert days[0] > 500 and days[1] > 500 and sum(days.values()) > 2000, days
    assert max(moments) <= ended  # the live part is published as its moments come, never ahead


def _stored_moments(database_url: str) -> list[datetime]:
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        moments = list(session.scalars(select(StoredEvent.occurred_at).where(StoredEvent.classifier == "ACTUAL")))
    engine.dispose()
    return moments


def _processes_of(data_dir: Path) -> list[int]:
    """The pids whose environment names this data directory (a run's children carry it)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"CLEARANCE_DATA_DIR={data_dir}".encode() in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def test_a_closed_terminal_stops_every_child(sqlite_url, make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """SIGHUP with the output gone (the terminal window closed, or `| tee` killed with it): the run
    used to die printing its last status line and leave the workers and the portal running."""
    env = settings_env(make_settings(sqlite_url)) | {"PORTAL_PORT": str(free_port())}
    errors = (tmp_path / "run.err").open("w")
    run = subprocess.Popen([sys.executable, "-m", "clearance.cli", "run", "--no-history", "--seed", "7"], env=env,
                           stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        assert run.stdout is not None
        for line in run.stdout:
            if line.startswith("[run] "):  # every child started, the run is live
                break
        assert len(_processes_of(tmp_path)) >= 6, "the run and its five children"
        run.stdout.close()  # the reader is gone: every print fails from now on
        run.send_signal(signal.SIGHUP)
        assert run.wait(timeout=60) is not None
        wait_until(lambda: not _processes_of(tmp_path), 30, "every child of the run to stop")
        assert "Traceback" not in (tmp_path / "run.err").read_text()
    finally:
        errors.close()
        if run.poll() is None:
            run.kill()
        for pid in _processes_of(tmp_path):
            os.kill(pid, signal.SIGKILL)
