"""Logging in through the real browser while the workers write to SQLite (the demo's default)."""
from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import login, screenshot
from tests.e2e.stack import Stack
from tests.e2e.test_login_under_load import simulating


def test_a_person_logs_in_while_ingest_writes(page: Page, stack: Stack) -> None:
    with simulating(stack.settings):
        login(page, stack, "exporter-a")
        assert page.url == f"{stack.base_url}/"
        assert "Internal Server Error" not in page.content()
        screenshot(page, "login-under-load")
    assert not page.errors, page.errors  # type: ignore[attr-defined]
