"""A real nginx (Debian's) in front of local portal processes, configured from the deployment's own
deploy/nginx.conf: the same affinity, upgrade headers and timeouts, with its upstream pointed at the
given loopback ports and its files in a directory of the test's."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from clearance.config import PROJECT_ROOT
from tests.support.http import free_port, wait_for_http

DEPLOYED = PROJECT_ROOT / "deploy" / "nginx.conf"


def local_config(portal_ports: list[int], port: int, workdir: Path) -> str:
    """deploy/nginx.conf for loopback: these upstream servers, this port, files under `workdir`."""
    text = DEPLOYED.read_text(encoding="utf-8")
    servers = "".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n        " for p in portal_ports)
    text, upstreams = re.subn(r"server portal:\d+[^;]*;\n\s*", servers, text)
    text, listens = re.subn(r"listen 80;", f"listen 127.0.0.1:{port};", text)
    text, workers = re.subn(r"worker_processes auto;", "worker_processes 1;", text)
    if (upstreams, listens, workers) != (1, 1, 1):
        raise AssertionError("deploy/nginx.conf no longer has the lines this test rewrites")
    temp = "\n    ".join(f"{name}_temp_path {workdir / name};" for name in
                         ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    text = text.replace("http {", f"http {{\n    {temp}", 1)
    return f"daemon off;\npid {workdir / 'nginx.pid'};\nerror_log {workdir / 'error.log'} warn;\n{text}"


def start_nginx(portal_ports: list[int], workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start nginx before these portals; returns the process and its base URL once it answers."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("nginx is not installed (scripts/install-system installs it)")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = workdir / "nginx.conf"
    config.write_text(local_config(portal_ports, port, workdir), encoding="utf-8")
    out = open(workdir / "nginx.out", "wb")  # noqa: SIM115 - kept by the process
    process = subprocess.Popen([binary, "-p", str(workdir), "-c", str(config)], stdout=out,
                               stderr=subprocess.STDOUT)

    def alive() -> None:
        if process.poll() is not None:
            raise RuntimeError("nginx exited:\n" + (workdir / "nginx.out").read_text(errors="replace")
                               + (workdir / "error.log").read_text(errors="replace"))
    base = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base}/healthz", alive, timeout=30.0)
    return process, base
