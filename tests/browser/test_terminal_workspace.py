"""The terminal workspace in a real browser against the real stack: an event published from the form
shows up live on the exporter's container page; a CSV's bad rows show their reasons and only the good
rows are published; a terminal cannot publish for another terminal from the page either. Screenshots in
English and Chinese go to /tmp/screens."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import api_get, login, screenshot, types_of, wait_stored
from tests.browser.test_portal_page import T0, at, entry
from tests.e2e.stack import Stack
from tests.support.factories import CONTAINER, ENTERPRISE, VESSEL, VOYAGE, event

GOOD_BOX, BAD_BOX, OTHER_BOX = "TCLU1234568", "MSCU7654329", "OOLU8887774"


OpenTerminal = Callable[..., Page]


@pytest.fixture
def terminal_page(browser: Browser, stack: Stack) -> Iterator[OpenTerminal]:
    """Opens a logged-in page on the publish form (`name`, `locale`); its context is closed after the
    test, so that no page goes on reconnecting to a stopped stack for the rest of the session."""
    contexts: list[BrowserContext] = []

    def open_page(name: str = "ytct", locale: str = "en-US") -> Page:
        context = browser.new_context(locale=locale, timezone_id="Europe/Berlin",
                                      viewport={"width": 1360, "height": 900})
        contexts.append(context)
        opened = context.new_page()
        opened.set_default_timeout(20_000)
        errors: list[str] = []
        opened.on("pageerror", lambda exc: errors.append(str(exc)))
        opened.errors = errors  # type: ignore[attr-defined]
        login(opened, stack, name)
        opened.evaluate("location.hash = '#/publish'")
        expect(opened.locator("#pub-container_no")).to_be_visible()
        return opened
    yield open_page
    for context in contexts:
        context.close()


def test_an_event_published_from_the_form_appears_live_on_the_exporters_page(
        stack: Stack, page: Page, terminal_page: OpenTerminal) -> None:
    stack.publish(event("GATE_IN", "t-gi", at(0)))  # the export visit at YTCT
    wait_stored(stack, "exporter-a", CONTAINER)
    login(page, stack, "exporter-a")
    page.evaluate(f"location.hash = '#/container/{CONTAINER}'")
    expect(entry(page, "GATE_IN")).to_be_visible()
    expect(page.locator("#live-status")).to_have_attribute("data-status", "live")

    yard = terminal_page()
    expect(yard.locator("#pub-as")).to_have_text("Terminal YTCT")
    expect(yard.locator("#pub-for-terminal")).to_have_count(0)  # a terminal publishes as itself only
    expect(yard.locator("#worklist .work-item[data-container='CICU3789922']")).to_contain_text("arrival not reported")
    expect(yard.locator("#feeds .feed[data-publisher='YTCT'] .last-hour")).to_be_visible()
    yard.fill("#pub-container_no", CONTAINER[:10] + "1")  # a wrong check digit, suggested as typed
    expect(yard.locator("#pub-container-hint")).to_contain_text("The check digit should be 2: CICU3789922")
    yard.click("#pub-use-suggestion")
    expect(yard.locator("#pub-container-hint")).to_have_text("Check digit correct")
    expect(yard.locator("#pub-voyage")).to_have_value(VOYAGE)  # from the current visit
    expect(yard.locator("#pub-enterprise_uscc")).to_have_value(ENTERPRISE)
    expect(yard.locator("#pub-prefill")).to_contain_text("Gate-in")
    yard.select_option("#pub-type", "ARRIVAL_REPORTED")
    yard.fill("#pub-voyage", "bad voyage!")  # the API's reason lands next to the field
    yard.click("#pub-submit")
    expect(yard.locator("#err-voyage")).to_contain_text("1 to 16 letters")
    expect(yard.locator("#pub-result")).to_have_text("Not published: see the reasons next to the fields")
    yard.fill("#pub-voyage", VOYAGE)
    expect(yard.locator("#err-voyage")).to_have_text("")  # checked again as it changes (dry run)
    yard.fill("#pub-detail-remark", "MT3101 <b>sent</b>")
    yard.click("#pub-submit")
    expect(yard.locator("#pub-result")).to_contain_text("Published Arrival reported: YTCT-ARRV-")
    screenshot(yard, "workspace-en")

    expect(entry(page, "ARRIVAL_REPORTED")).to_be_visible()  # live, on the exporter's page
    expect(entry(page, "ARRIVAL_REPORTED").locator(".detail dd")).to_have_text("MT3101 <b>sent</b>")
    expect(yard.locator("#recent .recent-item.accepted").first).to_contain_text(CONTAINER)
    assert page.locator("main b").count() == 0 and yard.errors == []  # type: ignore[attr-defined]


CSV = "\n".join([
    "type,occurred_at,direction,container_no,vessel_imo,voyage,enterprise_uscc,detail.gate",
    f"GATE_IN,{T0:%Y-%m-%d} 10:00:00,EXPORT,{GOOD_BOX},{VESSEL},{VOYAGE},{ENTERPRISE},G01",
    f"GATE_IN,{T0:%Y-%m-%d} 10:05:00,EXPORT,{BAD_BOX[:10]}1,{VESSEL},{VOYAGE},{ENTERPRISE},G02",
    f"GATE_IN,{T0:%Y-%m-%d} 10:10:00,EXPORT,{OTHER_BOX},{VESSEL},{VOYAGE},,G03",
    f"ARRIVAL_REPORTED,{T0:%Y-%m-%d} 10:20:00,EXPORT,{GOOD_BOX},{VESSEL},{VOYAGE},{ENTERPRISE},",
]) + "\n"


def upload(yard: Page, name: str, content: str) -> None:
    yard.click("#tab-button-batch")
    yard.set_input_files("#batch-file", {"name": name, "mimeType": "text/csv", "buffer": content.encode()})
    expect(yard.locator("#batch-summary")).to_be_visible()


def test_a_csv_shows_each_bad_rows_reason_and_publishes_only_the_good_rows(
        stack: Stack, terminal_page: OpenTerminal) -> None:
    yard = terminal_page(locale="zh-CN")
    upload(yard, "yard.csv", CSV)
    expect(yard.locator("#batch-summary")).to_have_text("共 4 行：2 行合格，2 行有误")
    rows = yard.locator(".batch-rows tbody tr")
    expect(rows.nth(1).locator(".reasons")).to_contain_text("container_no: bad ISO 6346 check digit 1 (expected 9)")
    expect(rows.nth(2).locator(".reasons")).to_contain_text("enterprise_uscc: required for GATE_IN")
    expect(rows.nth(0).locator(".badge")).to_have_text("合格")
    expect(rows.nth(0).locator("td").nth(2)).to_have_text("进闸")
    screenshot(yard, "workspace-batch-zh")
    yard.click("#batch-publish")
    expect(yard.locator("#batch-done")).to_have_text("已发布 2 个事件，2 行未发布")
    expect(rows.nth(0).locator(".badge")).to_have_text("已发布")
    view = wait_stored(stack, "ytct", GOOD_BOX, lambda v: len(types_of(v)) == 2)
    assert types_of(view) == ["GATE_IN", "ARRIVAL_REPORTED"]
    for box in (BAD_BOX, OTHER_BOX):
        assert api_get(stack, "office", f"/api/v1/containers/{box}")[0] == 404
    upload(yard, "yard.csv", CSV)  # the same file again: the same events, nothing new
    yard.click("#batch-publish")
    expect(yard.locator("#batch-done")).to_be_visible()
    wait_stored(stack, "ytct", GOOD_BOX, lambda v: len(types_of(v)) == 2)
    screenshot(yard, "workspace-zh")
    assert yard.errors == []  # type: ignore[attr-defined]


def test_a_terminal_cannot_publish_for_another_terminal_from_the_page(stack: Stack,
                                                                      terminal_page: OpenTerminal) -> None:
    yard = terminal_page()
    lines = CSV.strip().split("\n")  # the same rows, each naming YTGD as its publisher
    upload(yard, "other.csv", "\n".join([lines[0].rsplit(",", 1)[0] + ",publisher"]
                                         + [line.rsplit(",", 1)[0] + ",YTGD" for line in lines[1:]]))
    expect(yard.locator(".batch-rows tbody tr").first.locator(".reasons")).to_contain_text(
        "publisher: must be your terminal YTCT, not YTGD")
    expect(yard.locator("#batch-publish")).to_have_count(0)  # no good row: nothing to publish
    forged = yard.evaluate("""async (event) => {
        const { postEvents } = await import('/static/js/api.js');
        return (await postEvents(event)).body; }""", {
        "schema_version": 1, "event_id": "forged-1", "source": "TERMINAL", "publisher": "YTGD", "terminal": "YTGD",
        "type": "GATE_IN", "occurred_at": at(30), "direction": "EXPORT", "container_no": GOOD_BOX,
        "enterprise_uscc": ENTERPRISE})
    assert forged["accepted"] == [] and "publisher: must be your terminal YTCT, not YTGD" in forged["rejected"][0]["reasons"]
    office = terminal_page("office")  # the port office publishes on behalf of a terminal it names
    office.fill("#pub-for-terminal", "YTCT")
    office.fill("#pub-container_no", GOOD_BOX)
    expect(office.locator("#pub-prefill")).to_contain_text("No visit of this box yet")
    office.fill("#pub-enterprise_uscc", ENTERPRISE)
    office.click("#pub-submit")
    expect(office.locator("#pub-result")).to_contain_text("Published Gate-in: YTCT-GTIN-")
    view = wait_stored(stack, "ytct", GOOD_BOX)
    assert view["visits"][0]["terminal"] == "YTCT" and view["visits"][0]["timeline"][0]["publisher"] == "YTCT"
    screenshot(office, "workspace-office-en")
    assert json.dumps(forged) and yard.errors == [] and office.errors == []  # type: ignore[attr-defined]
