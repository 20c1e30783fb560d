"""A real single-node Apache Kafka (KRaft) broker run from jars on loopback.

Layout under ``home``::

    server.properties   log4j2.properties   cluster.id   broker.pid
    data/               (log.dirs; formatted once)
    logs/broker.out     (JVM stdout/stderr: WARN+ and fatal errors)
    logs/server.log     (INFO log)
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import config
from .errors import BrokerError
from .fetch import DEFAULT_KAFKA_VERSION, check_version, fetch_kafka, is_complete, libs_dir
from .proc import cmdline, file_lock, pid_alive, port_open, read_pid, remove_quietly, tail, write_atomic
from .runtime import BROKER_MAIN, broker_answers, find_java, format_storage, java_command

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
_HEAP_RE = re.compile(r"^[0-9]+[kKmMgG]?$")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BrokerStatus:
    """Snapshot of the local broker as seen from its pid file."""

    running: bool
    pid: int | None
    bootstrap: str
    version: str


class LocalKafka:
    """Fetch, configure, start and stop one local Kafka broker living in ``home``."""

    def __init__(self, home: Path, cache_dir: Path, port: int = 9092, controller_port: int = 9093,
                 version: str = DEFAULT_KAFKA_VERSION, heap: str = "512m", *, node_id: int = config.NODE_ID,
                 voters: str | None = None, replicas: int = 1, cluster_id_file: Path | None = None) -> None:
        if not _HEAP_RE.match(heap):
            raise BrokerError(f"invalid heap size {heap!r} (expected e.g. '512m')")
        if port == controller_port:
            raise BrokerError("port and controller_port must differ")
        self.home = Path(home).expanduser().resolve()
        self.cache_dir = Path(cache_dir).expanduser().resolve()
        self.port = int(port)
        self.controller_port = int(controller_port)
        self.version = check_version(version)
        self.heap = heap
        self.node_id = node_id  # a node of a local cluster (clearance.broker.cluster) has its own,
        self.voters = voters  # the cluster's controller.quorum.voters,
        self.replicas = replicas  # its size,
        self.cluster_id_file = cluster_id_file  # and the cluster id all its nodes are formatted with
        self._proc: subprocess.Popen[bytes] | None = None

    # ----------------------------------------------------------------- paths
    @property
    def bootstrap(self) -> str:
        """``host:port`` clients connect to."""
        return f"{HOST}:{self.port}"

    @property
    def server_properties(self) -> Path:
        return self.home / "server.properties"

    @property
    def log4j_config(self) -> Path:
        return self.home / "log4j2.properties"

    @property
    def pid_file(self) -> Path:
        return self.home / "broker.pid"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def out_file(self) -> Path:
        """JVM stdout/stderr of the broker process."""
        return self.log_dir / "broker.out"

    # ---------------------------------------------------------------- public
    def fetch(self, progress: Progress = print) -> Path:
        """Return the jars dir ``cache_dir/<version>/libs``.

        Downloads once with Maven (skipped when the marker file says the
        download is complete) and reuses it afterwards.
        """
        return fetch_kafka(self.cache_dir, self.version, progress)

    def status(self) -> BrokerStatus:
        """Report whether the broker recorded in the pid file is alive and ours (read-only)."""
        pid = read_pid(self.pid_file)
        running = pid is not None and self._is_ours(pid)
        return BrokerStatus(running=running, pid=pid if running else None,
                            bootstrap=self.bootstrap, version=self.version)

    def start(self, timeout: float = 120.0, progress: Progress = print) -> str:
        """Start the broker (fetching jars and formatting storage if needed) and return its bootstrap.

        Returns at once when our broker already runs and answers. Raises
        :class:`BrokerError` with the tail of the broker log when the process
        dies or does not answer a metadata request within ``timeout`` seconds
        (a broker started by this call is stopped again in that case).
        """
        deadline = time.monotonic() + timeout
        self.home.mkdir(parents=True, exist_ok=True)
        with file_lock(self.home / ".start.lock"):
            pid = read_pid(self.pid_file)
            if pid is not None and self._is_ours(pid):
                if self._answers(min(5.0, max(1.0, timeout))):
                    return self.bootstrap
                progress(f"Kafka broker (pid {pid}) is running; waiting for {self.bootstrap} to answer ...")
                self._wait_ready(pid, deadline)
                return self.bootstrap
            if pid is not None:
                log.info("removing stale pid file %s (pid %s is not our broker)", self.pid_file, pid)
                remove_quietly(self.pid_file)
            for p in (self.port, self.controller_port):
                if port_open(HOST, p):
                    raise BrokerError(f"{HOST}:{p} is already in use by another process; "
                                      "pick other ports for the local Kafka broker")
            if not is_complete(self.cache_dir, self.version):
                self.fetch(progress)
            libs = libs_dir(self.cache_dir, self.version)
            java = find_java()
            self._write_config()
            self._format_storage(java, libs, progress)
            return self._launch(java, libs, deadline, progress)

    def stop(self, timeout: float = 30.0) -> bool:
        """SIGTERM the broker named in the pid file (only if it is ours), SIGKILL after ``timeout``.

        Returns True when a process was stopped; False when nothing (of ours) ran.
        """
        pid = read_pid(self.pid_file)
        if pid is None:
            return False
        if not self._is_ours(pid):
            if pid_alive(pid):
                log.warning("pid %s in %s is not this home's Kafka broker; not signalling it",
                            pid, self.pid_file)
            self._reap(pid)
            remove_quietly(self.pid_file)
            return False
        log.info("stopping Kafka broker pid %s", pid)
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            remove_quietly(self.pid_file)
            return False
        if not self._wait_exit(pid, timeout):
            log.warning("Kafka broker pid %s ignored SIGTERM for %.0fs; sending SIGKILL", pid, timeout)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if not self._wait_exit(pid, 10.0):
                raise BrokerError(f"Kafka broker pid {pid} survived SIGKILL")
        remove_quietly(self.pid_file)
        return True

    # --------------------------------------------------------------- helpers
    def _is_ours(self, pid: int) -> bool:
        """True when ``pid`` is alive and is ``kafka.Kafka`` run on this home's server.properties."""
        if not pid_alive(pid):
            return False
        argv = cmdline(pid) or []
        return BROKER_MAIN in argv and str(self.server_properties) in argv

    def _write_config(self) -> None:
        for d in (self.data_dir, self.log_dir):
            d.mkdir(parents=True, exist_ok=True)
        write_atomic(self.server_properties, config.server_properties(
            port=self.port, controller_port=self.controller_port, data_dir=self.data_dir, host=HOST,
            node_id=self.node_id, voters=self.voters, replicas=self.replicas))
        write_atomic(self.log4j_config, config.log4j2_properties(self.log_dir))

    def _cluster_id(self) -> str:
        """The cluster id kept in ``home/cluster.id`` (a cluster's nodes share one file); created (or
        recovered from data/) once."""
        path = self.cluster_id_file or self.home / "cluster.id"
        try:
            existing = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            existing = ""
        if existing:
            return existing
        cluster_id = config.cluster_id_from_meta(self.data_dir / "meta.properties") or config.new_cluster_id()
        write_atomic(path, cluster_id + "\n")
        return cluster_id

    def _format_storage(self, java: str, libs: Path, progress: Progress) -> None:
        cluster_id = self._cluster_id()
        if (self.data_dir / "meta.properties").exists():
            return
        progress(f"Formatting Kafka storage in {self.data_dir} (cluster id {cluster_id}) ...")
        format_storage(java, libs, self.log4j_config, self.server_properties, cluster_id, self.home)

    def _launch(self, java: str, libs: Path, deadline: float, progress: Progress) -> str:
        cmd = [*java_command(java, libs, self.heap, self.log4j_config), BROKER_MAIN, str(self.server_properties)]
        started = time.monotonic()
        with self.out_file.open("wb") as out:
            self._proc = subprocess.Popen(cmd, cwd=self.home, stdin=subprocess.DEVNULL, stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True,
                                          close_fds=True)
        pid = self._proc.pid
        write_atomic(self.pid_file, f"{pid}\n")
        progress(f"Starting Kafka {self.version} broker (pid {pid}) on {self.bootstrap} ...")
        try:
            self._wait_ready(pid, deadline)
        except BaseException:
            self._kill_failed(pid)
            raise
        progress(f"Kafka broker ready on {self.bootstrap} after {time.monotonic() - started:.1f}s")
        return self.bootstrap

    def _wait_ready(self, pid: int, deadline: float) -> None:
        """Poll until the broker answers a metadata request; raise on death or timeout."""
        while True:
            if not self._alive(pid):
                code = self._proc.returncode if self._proc is not None and self._proc.pid == pid else None
                raise BrokerError(self._failure(f"Kafka broker (pid {pid}) exited"
                                                + (f" with code {code}" if code is not None else "")))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrokerError(self._failure(f"Kafka broker (pid {pid}) did not answer on "
                                                f"{self.bootstrap} in time"))
            if port_open(HOST, self.port) and self._answers(min(5.0, max(remaining, 1.0))):
                return
            time.sleep(min(0.25, max(remaining, 0.0)))

    def _alive(self, pid: int) -> bool:
        if self._proc is not None and self._proc.pid == pid:
            return self._proc.poll() is None
        return pid_alive(pid)

    def _answers(self, timeout: float) -> bool:
        return port_open(HOST, self.port) and broker_answers(self.bootstrap, timeout)

    def _failure(self, headline: str) -> str:
        lines = tail(self.out_file, 30)
        source = self.out_file
        if not any(line.strip() for line in lines):
            source = self.log_dir / "server.log"
            lines = tail(source, 30)
        body = "\n".join(lines) if lines else "(no log output)"
        return f"{headline}; last lines of {source}:\n{body}"

    def _wait_exit(self, pid: int, timeout: float) -> bool:
        if self._proc is not None and self._proc.pid == pid:
            try:
                self._proc.wait(timeout)
                return True
            except subprocess.TimeoutExpired:
                return False
        end = time.monotonic() + timeout
        while pid_alive(pid):
            if time.monotonic() >= end:
                return False
            time.sleep(0.1)
        return True

    def _reap(self, pid: int) -> None:
        if self._proc is not None and self._proc.pid == pid:
            self._proc.poll()

    def _kill_failed(self, pid: int) -> None:
        """Stop a broker this object launched that failed to become ready."""
        if self._alive(pid):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if not self._wait_exit(pid, 15.0):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self._wait_exit(pid, 5.0)
        self._reap(pid)
        remove_quietly(self.pid_file)
