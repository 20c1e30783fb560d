"""The Content-Security-Policy (portal/security_headers.py) in a real Chromium against the real stack:
every page renders without a console error or a CSP violation, for each role's account; an inline
script, an inline event handler, a style attribute and an eval injected into the page are refused by
the browser and reported (and, served without the header, the same injection runs: the refusal is the
policy's); hostile event text is still shown as text, never parsed; the charts' tooltips need no inline
style (ECharts' HTML tooltips would)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.browser.conftest import login, screenshot, wait_stored
from tests.browser.test_portal_page import at, entry, export_sequence
from tests.e2e.stack import Stack
from tests.support.factories import CONTAINER, event

# Every violation the document reports, sent to the test (an init script is not subject to the policy).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation({
  directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample, page: location.href }));
"""
INJECT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.__injected = 'script'";
  document.body.appendChild(script);
  const holder = document.createElement("div");
  holder.innerHTML = '<img id="injected-img" src="/static/no-such-image.png" onerror="window.__injected = \\'handler\\'">'
    + '<p id="injected-style" style="color: rgb(255, 0, 0)">styled?</p>';
  document.body.appendChild(holder);
  // From a task of the page's own: code Playwright evaluates is exempt from the no-eval rule.
  setTimeout(() => { try { eval("window.__evaluated = true"); } catch (e) { window.__evalRefused = e.name; } }, 0);
}"""
HOSTILE = "<img src=/x.png onerror=window.__xss=1><style>body{display:none}</style>"


@dataclass
class Watched:
    """A page with what it logged: console errors and page errors, and the CSP violations reported."""
    page: Page
    errors: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def watch(browser: Browser) -> Iterator[Any]:
    contexts: list[BrowserContext] = []

    def open_page() -> Watched:
        context = browser.new_context(locale="en-US", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 860})
        contexts.append(context)
        watched = Watched(context.new_page())
        context.expose_function("__cspViolation", lambda violation: watched.violations.append(violation))
        context.add_init_script(REPORT_VIOLATIONS)
        watched.page.set_default_timeout(20_000)
        watched.page.on("pageerror", lambda exc: watched.errors.append(f"page error: {exc}"))
        watched.page.on("console", lambda msg: watched.errors.append(f"console: {msg.text}")
                        if msg.type == "error" else None)
        return watched
    yield open_page
    for context in contexts:
        context.close()


def visit(watched: Watched, stack: Stack, route: str) -> None:
    watched.page.evaluate(f"location.hash = '{route}'")


def check_main_pages(watched: Watched, stack: Stack, account: str) -> None:
    page = watched.page
    page.goto(f"{stack.base_url}/login")
    # static/base.css applied (the login page's style is no longer inline)
    assert page.evaluate("getComputedStyle(document.querySelector('main')).borderTopLeftRadius") == "10px"
    login(page, stack, account)
    expect(page.locator("#live-status")).to_have_attribute("data-status", "live")
    # connect-src 'self' lets the same-origin WebSocket through: no fallback to long-polling
    page.wait_for_function("() => window.__live.socket.io.engine.transport.name === 'websocket'")
    if account != "ytct":  # the export visit is the exporter's and the port office's
        expect(page.locator("a.container-no", has_text=CONTAINER)).to_be_visible()
        visit(watched, stack, f"#/container/{CONTAINER}")
        expect(entry(page, "CUSTOMS_RELEASED")).to_be_visible()
    visit(watched, stack, "#/port")
    expect(page.locator("main[data-drawn='true']")).to_be_attached(timeout=30_000)
    if account in ("ytct", "office"):
        visit(watched, stack, "#/publish")
        expect(page.locator("#pub-container_no")).to_be_visible()
    page.goto(f"{stack.base_url}/no/such/page")
    expect(page.locator("h1")).to_contain_text("Page not found")
    assert page.evaluate("getComputedStyle(document.querySelector('main')).borderTopLeftRadius") == "10px"


@pytest.mark.parametrize("account", ["exporter-a", "ytct", "office"])
def test_every_page_renders_without_errors_or_violations(stack: Stack, watch: Any, account: str) -> None:
    stack.publish(*export_sequence())
    wait_stored(stack, "exporter-a", CONTAINER, lambda view: len(view["visits"][0]["timeline"]) == 9)
    watched = watch()
    check_main_pages(watched, stack, account)
    # the 404 page's own request for the missing address is the one error a browser logs
    assert [e for e in watched.errors if "404 (NOT FOUND)" not in e] == []
    assert watched.violations == []


def test_an_injected_inline_script_handler_and_style_are_refused(stack: Stack, watch: Any) -> None:
    stack.publish(event("GATE_IN", "g-hostile", at(0), detail={"note": HOSTILE}))
    wait_stored(stack, "exporter-a", CONTAINER)
    watched = watch()
    page = watched.page
    login(page, stack, "exporter-a")
    # Escaping holds on its own: hostile text from an event is shown as text, so nothing is even refused.
    visit(watched, stack, f"#/container/{CONTAINER}")
    expect(entry(page, "GATE_IN").locator(".detail dd")).to_have_text(HOSTILE)
    assert page.evaluate("window.__xss") is None and watched.violations == []

    page.evaluate(INJECT)
    expect(page.locator("#injected-img")).to_be_attached()
    page.wait_for_function("() => document.getElementById('injected-img').complete")  # its load failed: onerror due
    page.wait_for_timeout(300)
    assert page.evaluate("window.__injected") is None
    assert page.evaluate("window.__evaluated") is None and page.evaluate("window.__evalRefused") == "EvalError"
    assert page.evaluate("getComputedStyle(document.getElementById('injected-style')).color") != "rgb(255, 0, 0)"
    refused = {(v["directive"], v["blocked"]) for v in watched.violations}
    assert refused == {("script-src-elem", "inline"), ("script-src-attr", "inline"), ("style-src-attr", "inline"),
                       ("script-src", "eval")}
    assert any("Content Security Policy" in e for e in watched.errors)
    assert [e for e in watched.errors if "Content Security Policy" not in e and "no-such-image" not in e
            and "404 (NOT FOUND)" not in e] == []


def without_csp(route: Route) -> None:
    answer = route.fetch()
    headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-security-policy"}
    route.fulfill(response=answer, headers=headers)


def test_served_without_the_header_the_same_injection_runs(stack: Stack, watch: Any) -> None:
    """The control of the test above: the refusal comes from the policy, not from the way of injecting."""
    watched = watch()
    page = watched.page
    login(page, stack, "exporter-a")
    page.context.route(f"{stack.base_url}/", without_csp)  # (a route never sees the login's redirect)
    page.goto(f"{stack.base_url}/")
    page.wait_for_function("() => window.__app && window.__app.ready")
    assert page.evaluate("window.__app.ready") and watched.violations == []
    page.evaluate(INJECT)
    page.wait_for_function("() => window.__injected === 'handler'")  # the script ran first, then the handler
    assert page.evaluate("window.__evaluated") is True
    assert page.evaluate("getComputedStyle(document.getElementById('injected-style')).color") == "rgb(255, 0, 0)"
    assert watched.violations == []


SHOW_TOOLTIP = """async (mode) => {
  const charts = await import("/static/js/charts.js");
  const node = document.createElement("div");
  node.id = "tooltip-chart";
  node.className = "chart";
  node.style.width = "600px";  // the CSSOM: allowed, unlike a style attribute
  node.style.height = "300px";
  document.body.prepend(node);
  const option = charts.histogramOption([{ hours: 6, share_ended: 0.4 }, { hours: 12, share_ended: 0.8 }]);
  if (mode) option.tooltip.renderMode = mode;
  const chart = await charts.drawChart(node, "tooltip-test", option);
  chart.dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: 1 });
  await new Promise((resolve) => setTimeout(resolve, 300));
}"""


def test_chart_tooltips_need_no_inline_style(stack: Stack, watch: Any) -> None:
    watched = watch()
    page = watched.page
    login(page, stack, "office")
    page.evaluate(SHOW_TOOLTIP, None)  # the portal's charts as they are: tooltips drawn on the canvas
    screenshot(page, "csp-chart-tooltip")
    assert watched.violations == [] and watched.errors == []
    page.evaluate("document.getElementById('tooltip-chart').remove()")
    page.evaluate(SHOW_TOOLTIP, "html")  # ECharts' default: markup with style attributes, refused
    assert {v["directive"] for v in watched.violations} == {"style-src-attr"}
