"""Faults 1, 3, 4 and 5 on one 100,000-message stream, with two ingest workers and a live client
connected through nginx to one of two portals: the workers killed with -9 again and again (the pause
after each crash recorded), PostgreSQL away for 60 s, the client's portal killed with -9, and a SIGTERM
to a process in each of those states. Afterwards every valid event is stored exactly once, the DLQ holds
exactly the bad records, the state equals one in-order store and the client has converged."""
from __future__ import annotations

import pytest

from tests.faults.checks import assert_all
from tests.faults.conftest import MakeRig
from tests.faults.scenarios import Measured, database_away, portal_killed, workers_killed

KILLS = 4
OUTAGE = 60.0  # seconds: twice what the workers' retries used to last


@pytest.mark.slow
@pytest.mark.faults
def test_workers_the_database_and_a_portal_fail_and_nothing_is_lost(make_rig: MakeRig, record_property) -> None:  # type: ignore[no-untyped-def]
    rig = make_rig(relay=True, publish_pause=1.0)
    measured = Measured()
    workers_killed(rig, measured, KILLS)
    database_away(rig, measured, OUTAGE)
    portal_killed(rig, measured)
    record_property("measured", measured)
    print(f"\nfaults measured: {measured}")
    rig.finish()
    assert not measured.slow_exits(), f"SIGTERM took more than 5 s: {measured.slow_exits()}"
    assert len(measured.pauses_after_crash) == KILLS and measured.reconnects == 2
    assert_all(rig)
