"""The fault tests' rig: built on the test broker (or a cluster a test starts) and the test PostgreSQL,
stopped whatever happens."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from clearance.config import Settings
from tests.conftest import truncate
from tests.faults.rig import Rig
from tests.support.tcp_proxy import TcpProxy

MakeRig = Callable[..., Rig]


@pytest.fixture
def make_rig(postgres_url: str, make_settings: Callable[..., Settings], tmp_path: Path) -> Iterator[MakeRig]:
    made: list[Rig] = []

    def build(relay: bool = False, publish_pause: float = 0.2, **overrides: object) -> Rig:
        truncate(postgres_url)
        proxy = None
        url = postgres_url
        if relay:
            proxy = TcpProxy.before(postgres_url)
            url = proxy.url(postgres_url)
        settings = make_settings(url, batch_size=500, batch_seconds=0.2, **overrides)
        made.append(Rig(settings, postgres_url, tmp_path / "rig", proxy, publish_pause=publish_pause))
        return made[-1].start()
    yield build
    for rig in made:
        rig.stop()
