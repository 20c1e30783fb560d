"""The page while the portal's database is away, in a real browser against the real stack on PostgreSQL
behind a relay the test cuts: a container opened during the outage says so, and once the database is
back it shows itself without a reload, because the page asks again when the portal's `unavailable`
answer to its subscription says (static/js/live.js); the page says it will."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login, screenshot, types_of, wait_stored
from tests.browser.test_portal_page import entry, export_sequence
from tests.e2e.conftest import ACCOUNTS, fail_on_tracebacks
from tests.e2e.stack import Stack, start_stack
from tests.support.factories import CONTAINER
from tests.support.tcp_proxy import TcpProxy


pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def relayed_stack(database_url: str, relay: TcpProxy, make_settings, tmp_path: Path) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    """The stack (ingest and portal) on PostgreSQL, reached through the relay."""
    running = start_stack(make_settings(relay.url(database_url), batch_seconds=0.05), tmp_path / "stack",
                          {"exporter-a": ACCOUNTS["exporter-a"]})
    yield running
    running.stop()
    fail_on_tracebacks(running)


def test_a_container_opened_while_the_database_is_away_shows_once_it_is_back(
        relayed_stack: Stack, relay: TcpProxy, page: Page) -> None:
    stack = relayed_stack
    stack.publish(*export_sequence()[:3])
    wait_stored(stack, "exporter-a", CONTAINER, lambda v: len(types_of(v)) == 3)
    login(page, stack, "exporter-a")
    expect(page.locator("#live-status")).to_have_attribute("data-status", "live")
    page.evaluate("window.__marker = 'same page'")
    relay.cut()
    page.evaluate(f"location.hash = '#/container/{CONTAINER}'")
    alert = page.locator(".error-state[role=alert]")
    expect(alert).to_be_visible()  # the HTTP answer: 503, and the subscription was told to come back
    expect(alert).to_have_text("The database is unavailable for the moment; this page shows the container by "
                               "itself once it is back.")
    screenshot(page, "database-away-container")
    time.sleep(1)
    relay.start()
    expect(entry(page, "ARRIVAL_REPORTED")).to_be_visible(timeout=15_000)  # the subscription's retry, 5 s on
    assert page.evaluate("window.__marker") == "same page"
    expect(page.locator(".error-state")).to_have_count(0)
    screenshot(page, "database-back-container")
    # the browser's own line for the 503 it was answered, and nothing else: no error of the page's
    unexpected = [e for e in page.errors if not ("status of 503" in e and f"/api/v1/containers/{CONTAINER}" in e)]  # type: ignore[attr-defined]
    assert unexpected == [], unexpected
