"""The portal's page in a real browser against the real stack: live timeline and list, untrusted text,
who sees what, language. Screenshots go to /tmp/screens for a person to look at."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import api_get, login, screenshot, types_of, wait_stored
from tests.e2e.stack import Stack
from tests.support.factories import CONTAINER, DECLARATION, event

SHANGHAI = timezone(timedelta(hours=8))
# Two days ago at 08:00 Shanghai time: the contract refuses events more than a day in the future.
T0 = (datetime.now(SHANGHAI) - timedelta(days=2)).replace(hour=8, minute=0, second=0, microsecond=0)
BL = "SITGTAYT260418"


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def customs(type: str, event_id: str, minutes: float, code: str, **fields: Any):  # type: ignore[no-untyped-def]
    return event(type, event_id, at(minutes), source="CUSTOMS", publisher="4201", customs_code=code, **fields)


def export_sequence() -> list[Any]:
    """A realistic export with inspection at Yantai (YTCT), in the order things happen."""
    return [
        customs("DECLARATION_ACCEPTED", "c-l", 0, "L", declaration_no=DECLARATION, bl_no=BL, detail={"single_window_no": "E20260000003815742"}),
        event("GATE_IN", "t-gi", at(72), bl_no=BL,
              detail={"gate": "G03", "truck_plate": "鲁F8K2L5", "seal_no": "SITC7718230"}),
        event("ARRIVAL_REPORTED", "t-ar", at(75), detail={"message_type": "MT3101", "receipt": "运抵报告已接收"}),
        customs("INSPECTION_ORDERED", "c-c", 100, "C", detail={"method": "人工查验 manual", "notice_no": "YT26101200377"}),
        event("REPOSITION_STARTED", "t-rs", at(115), detail={"to": "查验平台 inspection platform A2"}),
        event("REPOSITIONED", "t-rp", at(140), detail={"location": "查验平台 inspection platform A2"}),
        customs("INSPECTION_COMPLETED", "c-ic", 225, "C", detail={"result": "NORMAL", "result_zh": "查验正常"}),
        customs("CUSTOMS_RELEASED", "c-p", 242, "P"),
        event("LOADED", "t-ld", at(630), detail={"crane": "QC07", "bay": "34-06-82"}),
    ]


def entry(page: Page, type: str):  # type: ignore[no-untyped-def]
    """The (not pending) timeline entry of an event type."""
    return page.locator(f"li.entry:not(.pending)[data-type='{type}']")


def test_container_page_follows_events_live_and_across_reconnections(stack: Stack, page: Page) -> None:
    sequence = export_sequence()
    stack.publish(*sequence[:3])
    wait_stored(stack, "exporter-a", CONTAINER, lambda v: len(types_of(v)) == 3)
    login(page, stack, "exporter-a")
    page.click("#notify-button")  # asks for permission (granted by the fake) only when pressed
    expect(page.locator("#notify-button")).to_have_text("Notifications on")
    page.evaluate(f"location.hash = '#/container/{CONTAINER}'")
    expect(entry(page, "ARRIVAL_REPORTED")).to_be_visible()
    expect(page.locator("#live-status")).to_have_attribute("data-status", "live")
    page.evaluate("window.__marker = 'same page'")

    # Shanghai time whatever the browser's zone, with the zone shown, and time since the previous step.
    gate_in = entry(page, "GATE_IN")
    expect(gate_in.locator(".entry-time")).to_have_text(f"{T0:%Y-%m-%d} 09:12:00 UTC+8")
    expect(gate_in.locator(".entry-took")).to_have_text("1 h 12 min after the previous step")
    expect(entry(page, "ARRIVAL_REPORTED").locator(".entry-took")).to_have_text("3 min after the previous step")
    expect(page.locator(".zone").first).to_contain_text("Asia/Shanghai")
    expect(page.locator("li.entry.pending.next")).to_have_attribute("data-type", "CUSTOMS_RELEASED")

    stack.publish(sequence[3])  # inspection ordered: appears without a reload
    expect(entry(page, "INSPECTION_ORDERED")).to_be_visible()
    expect(entry(page, "INSPECTION_ORDERED").locator(".tag.code")).to_have_text("Customs code C")

    # The connection drops; events stored meanwhile arrive with the snapshot sent on reconnection.
    page.evaluate("__live.socket.io.reconnection(false); __live.socket.io.engine.close()")
    expect(page.locator("#live-status")).to_have_attribute("data-status", "reconnecting")
    stack.publish(*sequence[4:6])
    wait_stored(stack, "exporter-a", CONTAINER, lambda v: "REPOSITIONED" in types_of(v))
    page.evaluate("__live.socket.io.reconnection(true); __live.socket.connect()")
    expect(page.locator("#live-status")).to_have_attribute("data-status", "live")
    expect(entry(page, "REPOSITIONED")).to_be_visible()

    stack.publish(*sequence[6:])
    expect(entry(page, "LOADED")).to_be_visible()
    ids = page.locator("li.entry:not(.pending)").evaluate_all("nodes => nodes.map(n => n.dataset.eventId)")
    assert sorted(ids) == sorted(e.event_id for e in sequence)  # every event once: no gap, no duplicate
    expect(page.locator("li.entry.pending")).to_have_count(2)  # vessel departure and closure still to come
    expect(page.locator(".next-name")).to_have_text("→ Vessel departed")
    expect(page.locator(".visit-status .badge")).to_contain_text("Loaded on board")
    assert page.evaluate("window.__marker") == "same page"
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    notes = page.evaluate("window.__notes")
    assert [n["title"] for n in notes] == [f"{CONTAINER} released by customs"]
    screenshot(page, "container-timeline")
    # Closing the WebSocket ourselves makes gevent's server end it with bytes Chromium calls an
    # "Invalid frame header"; anything else logged is a failure.
    assert [e for e in page.errors if "Invalid frame header" not in e] == []  # type: ignore[attr-defined]


HOSTILE_BL = "<img src=x onerror=window.__xss=1>"
HOSTILE_NOTE = "<script>window.__xss=2</script><b>bold?</b>"


def test_event_text_is_shown_as_text_never_run(stack: Stack, page: Page) -> None:
    stack.publish(event("GATE_IN", "g1", at(0), bl_no=HOSTILE_BL,
                        detail={"note": HOSTILE_NOTE, "<i>gate</i>": "<img src=y onerror=window.__xss=3>"}))
    wait_stored(stack, "exporter-a", CONTAINER)
    login(page, stack, "exporter-a")
    expect(page.locator("td.col-bl")).to_have_text(HOSTILE_BL)  # the list
    page.click(f"a.container-no:text('{CONTAINER}')")
    detail = entry(page, "GATE_IN").locator(".detail")
    expect(detail).to_contain_text(HOSTILE_NOTE)
    expect(detail).to_contain_text("<i>gate</i>")
    expect(page.locator(".fact dd").filter(has_text="onerror")).to_have_text(HOSTILE_BL)
    # The same through a live update.
    stack.publish(event("ARRIVAL_REPORTED", "a1", at(5), detail={"receipt": "<svg onload=window.__xss=4>"}))
    expect(entry(page, "ARRIVAL_REPORTED").locator(".detail dd")).to_have_text("<svg onload=window.__xss=4>")
    assert page.locator("main img, main script, main svg, main b, main i").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.errors == []  # type: ignore[attr-defined]


def test_another_enterprise_gets_the_same_answer_as_for_no_container(stack: Stack, page: Page) -> None:
    stack.publish(*export_sequence()[:3])
    wait_stored(stack, "exporter-a", CONTAINER, lambda v: len(types_of(v)) == 3)
    assert api_get(stack, "exporter-b", f"/api/v1/containers/{CONTAINER}")[0] == 404
    login(page, stack, "exporter-b")
    expect(page.locator(".empty-state")).to_be_visible()  # none of exporter-a's containers listed
    answers = []
    for number in (CONTAINER, "MSKU6054123", "NOT-A-CONTAINER"):
        page.evaluate(f"location.hash = '#/container/{number}'")
        expect(page.locator("h1")).to_have_text(number)
        expect(page.locator("#not-found")).to_be_visible()
        answers.append(page.locator("#not-found").inner_text())
        assert "YTCT" not in page.locator("main").inner_text()
    assert answers[0] == answers[1] == answers[2]
    assert "No such container (or not yours)" in answers[0]


def test_language_switch_applies_everywhere_and_is_remembered(stack: Stack, page: Page) -> None:
    stack.publish(*export_sequence()[:3])
    wait_stored(stack, "exporter-a", CONTAINER, lambda v: len(types_of(v)) == 3)
    login(page, stack, "exporter-a")  # a browser in English starts in English
    expect(page.locator("main h1")).to_have_text("My containers")
    expect(page.locator("td.col-stage .badge")).to_contain_text("Arrival reported")
    page.click("button[data-lang='zh-CN']")
    expect(page.locator("main h1")).to_have_text("我的集装箱")
    expect(page.locator("td.col-stage .badge")).to_contain_text("运抵")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.click(f"a.container-no:text('{CONTAINER}')")
    expect(entry(page, "GATE_IN").locator(".entry-name")).to_have_text("进闸")
    page.reload()
    expect(entry(page, "GATE_IN").locator(".entry-name")).to_have_text("进闸")
    expect(page.locator("li.entry.pending.next .entry-name")).to_have_text("海关放行")
    expect(page.locator("#logout-button")).to_have_text("退出")
    screenshot(page, "container-zh")
    page.click("button[data-lang='en']")
    expect(entry(page, "GATE_IN").locator(".entry-name")).to_have_text("Gate-in")
    page.reload()
    expect(entry(page, "GATE_IN").locator(".entry-name")).to_have_text("Gate-in")
    expect(page.locator("#logout-button")).to_have_text("Log out")
    page.click("#logout-button")  # the form carries the CSRF token of GET /api/v1/session
    page.wait_for_url(f"{stack.base_url}/login")
    page.goto(f"{stack.base_url}/")
    page.wait_for_url(f"{stack.base_url}/login")


IMPORT = {"direction": "IMPORT", "voyage": "025W"}
LIST_WORLD = {  # container -> its events: one container per stage colour, a hold, an abnormal inspection
    "SITU2710462": [customs("DECLARATION_ACCEPTED", "s-l", 30, "L", container_no="SITU2710462",
                            declaration_no="420120260000000456")],
    "TGHU8832154": [event("GATE_IN", "h-gi", at(40), container_no="TGHU8832154"),
                    customs("HOLD_PLACED", "h-12", 80, "12", container_no="TGHU8832154",
                            detail={"hold": "拒装 do-not-load"})],
    "MSKU6054123": [event("DISCHARGED", "m-d", at(20), container_no="MSKU6054123", **IMPORT),
                    customs("INSPECTION_ORDERED", "m-c", 60, "C", container_no="MSKU6054123", **IMPORT),
                    customs("INSPECTION_COMPLETED", "m-ic", 200, "C", container_no="MSKU6054123", **IMPORT,
                            detail={"result": "ABNORMAL", "result_zh": "查验异常"})],
    "TCNU7249813": [event("DISCHARGED", "r-d", at(10), container_no="TCNU7249813", **IMPORT),
                    customs("CUSTOMS_RELEASED", "r-p", 150, "P", container_no="TCNU7249813", **IMPORT)],
    "OOLU1933775": [event("GATE_IN", "o-gi", at(5), container_no="OOLU1933775"),
                    event("LOADED", "o-ld", at(300), container_no="OOLU1933775")],
    "BMOU5219349": [customs("CUSTOMS_RELEASED", "b-p", 50, "P", container_no="BMOU5219349"),  # before 运抵:
                    event("ARRIVAL_REPORTED", "b-ar", at(70), container_no="BMOU5219349")],  # flagged
}


def test_my_containers_list_is_live(stack: Stack, page: Page) -> None:
    stack.publish(*export_sequence()[:3], *(e for events in LIST_WORLD.values() for e in events))
    for number, items in LIST_WORLD.items():
        wait_stored(stack, "exporter-a", number, lambda v, n=len(items): len(types_of(v)) >= n)
    login(page, stack, "exporter-a")
    page.click("#notify-button")
    rows = page.locator("table.containers tbody tr")
    expect(rows).to_have_count(7)
    expect(page.locator(".total")).to_have_text("7 container visits")
    expect(page.locator("tr[data-container='TGHU8832154'] .alert-hold")).to_have_text("1 on hold")
    expect(page.locator("tr[data-container='MSKU6054123'] .alert-abnormal")).to_be_visible()
    expect(page.locator("tr[data-container='BMOU5219349'] .alert-flag")).to_have_text("1 flagged")
    page.evaluate("window.__marker = 'same page'")

    stack.publish(event("GATE_IN", "new-1", at(400), container_no="CSNU6402183", bl_no="SITGTAYT260999"))
    expect(rows.first).to_have_attribute("data-container", "CSNU6402183")
    expect(rows.first.locator(".badge.new")).to_be_visible()
    expect(page.locator(".total")).to_have_text("8 container visits")
    stack.publish(export_sequence()[7])  # CICU3789922 released: its row changes in place
    expect(page.locator(f"tr[data-container='{CONTAINER}'] td.col-stage")).to_contain_text("Customs released")
    expect(rows).to_have_count(8)
    stack.publish(customs("HOLD_PLACED", "s-13", 420, "13", container_no="SITU2710462"))
    expect(page.locator("tr[data-container='SITU2710462'] .alert-hold")).to_have_text("1 on hold")
    titles = [note["title"] for note in page.evaluate("window.__notes")]
    assert titles == [f"{CONTAINER} released by customs", "SITU2710462: hold placed"]
    assert page.evaluate("window.__marker") == "same page"
    screenshot(page, "list")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: one card per visit
    screenshot(page, "list-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.select_option("#filter-direction", "IMPORT")
    expect(rows).to_have_count(2)
    expect(page.locator(".total")).to_have_text("2 container visits")
    page.fill("#filter-q", "tghu")
    page.select_option("#filter-direction", "")
    page.click("form.toolbar button[type=submit]")
    expect(rows).to_have_count(1)
    rows.first.click()
    expect(page.locator(".banner-hold")).to_contain_text("Hold placed")
    screenshot(page, "container-hold")
    page.click("a.back")
    page.click("a.container-no:text('BMOU5219349')")
    expect(page.locator(".banner-flags")).to_contain_text("Out of order")
    screenshot(page, "container-flag")
    assert page.errors == []  # type: ignore[attr-defined]
