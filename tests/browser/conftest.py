"""Browser tests: the real stack (broker, `clearance ingest`, `clearance portal`) driven by a real headless
Chromium through Playwright. Debian's chromium is used; Playwright never downloads a browser."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.conftest import stack  # noqa: F401 - the running system each test drives
from tests.e2e.stack import PASSWORD, Stack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENS = Path("/tmp/screens")

# Records notifications instead of showing them; permission is "default" until the page asks.
FAKE_NOTIFICATIONS = """
window.__notes = [];
window.Notification = class {
  constructor(title, options) { window.__notes.push({ title, body: options && options.body }); }
  close() {}
  static requestPermission() { window.Notification.permission = "granted"; return Promise.resolve("granted"); }
};
window.Notification.permission = "default";
"""


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium", pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser profile in English, in a time zone far from Shanghai (the page must show Shanghai
    time whatever the browser's zone is). Errors the page logs fail the test."""
    context = browser.new_context(locale="en-US", timezone_id="America/New_York",
                                  viewport={"width": 1280, "height": 860})
    context.add_init_script(FAKE_NOTIFICATIONS)
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    opened.on("console", lambda msg: errors.append(f"console: {msg.text} {msg.location}")
              if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico") else None)
    opened.errors = errors  # type: ignore[attr-defined]
    yield opened
    context.close()


def login(page: Page, stack: Stack, name: str) -> None:
    """Log in through the form; the portal's page is then shown at /."""
    page.goto(f"{stack.base_url}/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{stack.base_url}/")
    # A function, not an expression: Playwright evals a string expression at every poll, which the
    # portal's Content-Security-Policy (no 'unsafe-eval') refuses after the first.
    page.wait_for_function("() => window.__app && window.__app.ready")


def api_get(stack: Stack, account: str, path: str) -> tuple[int, Any]:
    request = urllib.request.Request(f"{stack.base_url}{path}", headers={
        "Authorization": f"Bearer {stack.accounts[account].token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def wait_stored(stack: Stack, account: str, container_no: str,
                done: Callable[[dict[str, Any]], bool] = lambda view: True, timeout: float = 30.0) -> dict[str, Any]:
    """The container view once ingest has stored what `done` waits for (events travel through Kafka)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = api_get(stack, account, f"/api/v1/containers/{container_no}")
        if status == 200 and done(body):
            return body  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError(f"{container_no} never reached the expected state in {timeout:.0f} s: last answer "
                         f"{status} {body!r:.300} (is `clearance ingest` consuming? see the stack's logs/ingest.log)")


def types_of(view: dict[str, Any]) -> list[str]:
    return [entry["type"] for visit in view["visits"] for entry in visit["timeline"]]


def screenshot(page: Page, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
