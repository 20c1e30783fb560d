"""The system a fault test runs: two ingest workers, two portal processes behind nginx, a live client
connected through nginx, a publisher playing the 100,000-message stream, and PostgreSQL (through a relay
the test can cut, when it asks for one). `finish()` drains the stream, and checks.py then compares every
part with what storing the stream in order gives."""
from __future__ import annotations

import json
import random
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clearance.config import Settings, pipeline_topics
from events.kafka import ensure_topics
from models.user import Role
from tests.conftest import settings_env
from tests.e2e.stack import add_accounts
from tests.faults import stream
from tests.faults.live import LiveWatcher
from tests.faults.processes import Managed, ingest_worker, portal, wait_for_portal
from tests.faults.publisher import Publisher
from tests.ingest.test_process import count_stored
from tests.support.nginx import start_nginx
from tests.support.pipeline import committed, end_offsets
from tests.support.tcp_proxy import TcpProxy

FOLLOWED = 20  # containers the live client follows


@dataclass
class Rig:
    settings: Settings  # what the processes use (the database through the relay, if there is one)
    database_url: str  # the database itself, for the checks
    workdir: Path
    proxy: TcpProxy | None = None
    workers: list[Managed] = field(default_factory=list)
    portals: dict[int, Managed] = field(default_factory=dict)
    nginx: subprocess.Popen[bytes] | None = None
    base: str = ""
    token: str = ""
    watcher: LiveWatcher | None = None
    publisher: Publisher | None = None
    publish_pause: float = 0.2  # seconds between chunks of 1,000 messages
    rng: random.Random = field(default_factory=lambda: random.Random(31))

    def start(self) -> Rig:
        logs = self.workdir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        ensure_topics(self.settings.kafka_bootstrap_servers, pipeline_topics(self.settings))
        self.token = add_accounts(self.database_url, {"office": (Role.PORT_OFFICE, None, None)})["office"].token
        env = settings_env(self.settings)
        self.workers = [ingest_worker(name, env, logs) for name in "ab"]
        for name in "pq":
            managed, port = portal(name, env | {"CLEARANCE_DATA_DIR": str(self.workdir / name)}, logs)
            self.portals[port] = managed
        for port, managed in self.portals.items():
            wait_for_portal(managed, port)
        self.nginx, self.base = start_nginx(list(self.portals), self.workdir / "nginx")
        self.watcher = LiveWatcher(self.base, self.token, stream.busiest_containers(FOLLOWED))
        self.publisher = Publisher(self.settings.kafka_bootstrap_servers, self.settings.events_topic,
                                   stream.messages(), pause=self.publish_pause)
        self.publisher.start()
        return self

    # --- while the stream plays ---------------------------------------------------------------------
    def stored(self) -> int:
        return count_stored(self.database_url)

    def wait_for_progress(self, timeout: float = 120.0) -> None:
        """Return once more events are stored than now."""
        before, deadline = self.stored(), time.monotonic() + timeout
        while self.stored() <= before:
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing stored for {timeout:.0f}s:\n" + self.outputs())
            time.sleep(0.2)

    def wait_for_stored(self, count: int, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while self.stored() < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"fewer than {count} stored after {timeout:.0f}s:\n" + self.outputs())
            time.sleep(0.3)

    def crash_pause(self, victim: int, timeout: float = 120.0) -> float:
        """kill -9 worker `victim`, then the seconds until every partition that had messages waiting
        moves on again (the dead member's partitions wait for its session to expire and a rebalance)."""
        bootstrap, group, topic = self.settings.kafka_bootstrap_servers, self.settings.group_id, self.settings.events_topic
        before, ends = committed(bootstrap, group, topic), end_offsets(bootstrap, topic)
        lagging = {p for p, end in ends.items() if before.get(p, 0) < end}
        self.workers[victim].kill()
        killed = time.monotonic()
        while lagging:
            if time.monotonic() - killed > timeout:
                raise AssertionError(f"partitions {sorted(lagging)} stood still {timeout:.0f}s after a crash")
            now = committed(bootstrap, group, topic)
            lagging = {p for p in lagging if now.get(p, 0) <= before.get(p, 0)}
            time.sleep(0.25)
        return time.monotonic() - killed

    def committed(self) -> dict[int, int]:
        return committed(self.settings.kafka_bootstrap_servers, self.settings.group_id, self.settings.events_topic)

    def get(self, path: str) -> tuple[int, dict[str, Any]]:
        """GET through nginx as the port office."""
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def serving_portal(self) -> int:
        """The port of the portal the live client is connected to (nginx's affinity picks one)."""
        for port, managed in self.portals.items():
            if not managed.alive:
                continue
            text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
            if any(line.startswith("clearance_portal_live_clients ") and float(line.split()[1]) >= 1
                   for line in text.splitlines()):
                return port
        raise AssertionError("the live client is connected to no portal")

    def restart_portal(self, port: int) -> None:
        self.portals[port].start()
        wait_for_portal(self.portals[port], port)

    def outputs(self) -> str:
        return "\n".join(m.output() for m in [*self.workers, *self.portals.values()])

    # --- at the end --------------------------------------------------------------------------------
    def finish(self) -> None:
        """Publish the rest, stop the workers, then drain the stream with two final workers."""
        assert self.publisher is not None
        self.publisher.finish()
        dead = [w.name for w in self.workers if not w.alive]
        assert not dead, f"workers died: {dead}\n" + self.outputs()
        for worker in self.workers:
            worker.wait_for_log("assigned")  # a worker stopped before it joined has nothing to finish
            status, _ = worker.terminate()
            assert status == 0, worker.output()
        finals = [Managed(f"{w.name}-final", ["ingest", "--quiet", "--max-idle", "8"], w.env, w.logs).start()
                  for w in self.workers]
        for final in finals:
            assert final.process is not None
            assert final.process.wait(timeout=900) == 0, final.output()
        self.workers += finals

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.close()
        for managed in [*self.workers, *self.portals.values()]:
            if managed.alive:
                managed.terminate(timeout=30)
        if self.nginx is not None:
            self.nginx.terminate()
            self.nginx.wait(timeout=10)
        if self.proxy is not None:
            self.proxy.cut()
