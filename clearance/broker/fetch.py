"""Fetch the Kafka broker jars from Maven Central with Maven.

The jars land in ``<cache_dir>/<version>/libs``; a marker file written after a
complete, verified download makes later calls return at once without Maven.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from .errors import BrokerError
from .proc import file_lock, remove_quietly

log = logging.getLogger(__name__)

#: Kafka release fetched by default (runs on Java 17).
DEFAULT_KAFKA_VERSION = "4.2.2"

MARKER_NAME = ".complete"
_VERSION_RE = re.compile(r"^[0-9]+(\.[0-9]+)*([.-][0-9A-Za-z]+)*$")
#: Jars (name prefixes) that a runnable broker needs besides kafka_2.13 itself.
_REQUIRED_PREFIXES = ("kafka-clients-", "kafka-server-", "kafka-raft-", "kafka-metadata-",
                      "scala-library-", "log4j-core-", "log4j-slf4j-impl-", "slf4j-api-")


def default_cache_dir() -> Path:
    """Default jar cache: ``$XDG_CACHE_HOME/clearance/kafka`` (``~/.cache`` if unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clearance" / "kafka"


def check_version(version: str) -> str:
    """Validate a Kafka version string (it becomes a path component and a Maven property)."""
    if not _VERSION_RE.match(version):
        raise BrokerError(f"invalid Kafka version {version!r}")
    return version


def libs_dir(cache_dir: Path, version: str) -> Path:
    """Directory that holds (or will hold) the jars of ``version``."""
    return Path(cache_dir) / check_version(version) / "libs"


def is_complete(cache_dir: Path, version: str) -> bool:
    """True when the marker exists and every jar it lists is still present."""
    libs = libs_dir(cache_dir, version)
    marker = libs.parent / MARKER_NAME
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
        jars = info["jars"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return bool(jars) and all((libs / name).is_file() for name in jars)


def _find_mvn() -> str:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise BrokerError(
            "Maven ('mvn') is not on PATH; it is needed once to download the Kafka broker "
            "from Maven Central (e.g. 'apt-get install maven')."
        )
    return mvn


def _verify(staging: Path, version: str) -> list[str]:
    jars = sorted(p.name for p in staging.glob("*.jar"))
    missing = [f"kafka_2.13-{version}.jar"] if f"kafka_2.13-{version}.jar" not in jars else []
    missing += [f"{prefix}*.jar" for prefix in _REQUIRED_PREFIXES
                if not any(j.startswith(prefix) for j in jars)]
    if missing:
        raise BrokerError(f"Maven finished but the download lacks {', '.join(missing)} (in {staging})")
    return jars


def fetch_kafka(cache_dir: Path, version: str = DEFAULT_KAFKA_VERSION,
                progress: Callable[[str], None] = print, *, timeout: float = 1800.0) -> Path:
    """Return the jar directory for ``version``, downloading it first if needed.

    Runs ``mvn dependency:copy-dependencies`` on the packaged ``pom.xml`` into a
    staging directory, checks the result, renames it into place and writes the
    marker. Concurrent callers are serialised with a lock file.
    """
    libs = libs_dir(cache_dir, version)
    if is_complete(cache_dir, version):
        return libs
    version_dir = libs.parent
    version_dir.mkdir(parents=True, exist_ok=True)
    with file_lock(version_dir / ".lock"):
        if is_complete(cache_dir, version):
            return libs
        mvn = _find_mvn()
        pom = version_dir / "pom.xml"
        try:
            pom.write_bytes(resources.files(__package__).joinpath("pom.xml").read_bytes())
        except OSError as exc:
            raise BrokerError("clearance/broker/pom.xml is missing from the installed package "
                              "(it must be shipped as package data)") from exc
        staging = Path(tempfile.mkdtemp(prefix=".libs-", dir=version_dir))
        cmd = [mvn, "-B", "-q", "-f", str(pom), "dependency:copy-dependencies",
               f"-DoutputDirectory={staging}", "-DincludeScope=runtime",
               f"-Dkafka.version={version}"]
        progress(f"Downloading Apache Kafka {version} from Maven Central (once; cached in {version_dir}) ...")
        log.info("running %s", " ".join(cmd))
        started = time.monotonic()
        try:
            result = subprocess.run(cmd, cwd=version_dir, capture_output=True, text=True,
                                    timeout=timeout, check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise BrokerError(f"Maven did not finish within {timeout:.0f}s: {' '.join(cmd)}") from exc
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            output = (result.stdout + result.stderr).strip().splitlines()[-40:]
            raise BrokerError(f"Maven failed (exit {result.returncode}): {' '.join(cmd)}\n"
                              + "\n".join(output))
        try:
            jars = _verify(staging, version)
        except BrokerError:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        remove_quietly(version_dir / MARKER_NAME)
        if libs.exists():
            shutil.rmtree(libs)
        os.replace(staging, libs)
        size = sum((libs / j).stat().st_size for j in jars)
        (version_dir / MARKER_NAME).write_text(
            json.dumps({"version": version, "jars": jars, "bytes": size,
                        "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, indent=1),
            encoding="utf-8")
        progress(f"Kafka {version}: {len(jars)} jars, {size / 1e6:.1f} MB "
                 f"in {time.monotonic() - started:.1f}s")
        return libs
