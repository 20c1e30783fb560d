"""POST /api/v1/events applies the contract's bounds (docs/contract.md section 12) with the very reason
the ingest worker gives: what the API accepts, the worker stores; what it refuses never got a 202 or a
500 again."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from events import InvalidEvent, decode
from tests.portal.conftest import Person
from tests.support.bad_inputs import as_message, nested
from tests.support.factories import doc

GATE_IN = doc("GATE_IN", "bound-good", "2026-11-20T08:00:00+08:00")


@pytest.mark.parametrize("changes, reason", [
    ({"detail": nested(500)}, "detail: nested more than 8 levels deep"),  # was 202, then killed the feed
    ({"bl_no": "AB\u0000CD"}, "bl_no: control character U+0000"),  # was 202, then a crash loop
    ({"detail": {"ga\u0000te": "G03"}}, "detail: control character U+0000 in the key"),
    ({"updated_at": "0001-01-01T00:00:00+14:00"}, "updated_at: outside 2000-01-01T00:00:00Z"),  # was a 500
    ({"occurred_at": "0001-01-01T00:00:00-12:00"}, "occurred_at: outside 2000-01-01T00:00:00Z"),  # was 202
    ({"occurred_at": "9999-12-31T23:59:59-12:00"}, "occurred_at: outside 2000-01-01T00:00:00Z"),
], ids=["deep_detail", "nul_bl_no", "nul_detail_key", "year_1_east", "year_1_west", "year_9999_west"])
def test_the_api_refuses_with_the_reason_the_worker_gives(client: FlaskClient, people: dict[str, Person],
                                                          changes: dict[str, Any], reason: str) -> None:
    poison = doc("GATE_IN", "bound-bad", "2026-11-20T08:00:00+08:00", **changes)
    response = client.post("/api/v1/events", json=[GATE_IN, poison], headers=people["port_office"].headers)
    assert response.status_code == 202
    body = response.get_json()
    assert body["accepted"] == ["bound-good"]
    [rejected] = body["rejected"]
    with pytest.raises(InvalidEvent) as caught:
        decode(as_message(poison))
    assert rejected == {"index": 1, "reasons": [caught.value.reason]}
    assert reason in caught.value.reason
