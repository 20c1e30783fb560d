"""The dashboard (#/port) in a real browser against the real stack — broker, `clearance ingest`, the
overdue watcher `clearance alerts` and `clearance portal` on PostgreSQL — fed three days of the
simulated port and one container overdue at the inspection platform. Screenshots go to /tmp/screens."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from clearance.history import HistoryProgress, demo_stream, publish_due
from clearance.monitor import PipelineMonitor
from clearance.simulate import generate
from clearance.simulate.world import ENTERPRISES
from events.codec import encode, message_key
from models.db import make_engine, session_factory, upgrade
from models.user import Role
from tests.browser.conftest import api_get, login, screenshot
from tests.conftest import settings_env
from tests.e2e.conftest import ACCOUNTS, _other_uscc, fail_on_tracebacks
from tests.e2e.stack import Stack, start_stack
from tests.support.factories import event
from tests.support.pipeline import produce

OVERDUE = "TGHU8864104"  # ordered to the inspection platform three hours ago, never moved
LATE = "MSKU6054123"  # goes overdue while the page is open
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHARTS = ("histogram", "survival", "trend", "stages", "terminals")


@pytest.fixture
def dashboard_stack(postgres_url: str, make_settings, tmp_path: Path) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    """The stack on an empty PostgreSQL database (time-limit rules seeded), with the overdue watcher."""
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    upgrade(postgres_url)
    accounts = dict(ACCOUNTS, **{"exporter-b": (Role.ENTERPRISE, _other_uscc(), None),
                                 "sim-exporter": (Role.ENTERPRISE, ENTERPRISES[0].uscc, None)})
    settings = make_settings(postgres_url, batch_seconds=0.05, batch_size=2000)
    running = start_stack(settings, tmp_path / "stack", accounts)
    log_file = tmp_path / "stack" / "logs" / "alerts.log"
    with open(log_file, "ab") as out:
        running.log_starts[log_file] = out.tell()
        running.processes.append(subprocess.Popen([sys.executable, "-m", "clearance.cli", "alerts"],
                                                  env=settings_env(settings), stdout=out, stderr=subprocess.STDOUT))
    yield running
    running.stop()
    fail_on_tracebacks(running)


def publish_history(stack: Stack, days: float) -> int:
    """The simulated port's last `days` days, as `clearance run` publishes them; returns once stored."""
    config = demo_stream(datetime.now(UTC), seed=11, history_days=days, live_days=0)
    batch: list[tuple[bytes | None, bytes]] = []
    sent = publish_due(generate(config), lambda m: batch.append((m.key, m.value)), HistoryProgress(0, time.time()),
                       lambda: None)
    produce(stack.settings.kafka_bootstrap_servers, stack.settings.events_topic, batch)
    wait_for_ingest(stack)
    return sent


def wait_for_ingest(stack: Stack, timeout: float = 120.0) -> None:
    engine = make_engine(stack.settings.database_url)
    monitor = PipelineMonitor(stack.settings, session_factory(engine))
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            stored, lag = monitor.stored_and_lag()
            if lag == 0 and stored > 0:
                return
            time.sleep(0.5)
    finally:
        monitor.close()
        engine.dispose()
    raise AssertionError(f"ingest still lags after {timeout:.0f} s (see the stack's logs/ingest.log)")


def overdue_container(stack: Stack, container_no: str = OVERDUE, hours_ago: float = 3.0,
                      uscc: str | None = ACCOUNTS["exporter-a"][1]) -> None:
    """An import at YTCT: discharged, inspection ordered `hours_ago`, the box never moved (the REPOSITION
    limit: warning 30 min, alarm 60 min)."""
    ordered = datetime.now(UTC) - timedelta(hours=hours_ago)
    common: dict[str, Any] = dict(container_no=container_no, direction="IMPORT", voyage="031W",
                                  enterprise_uscc=uscc)
    events = [
        event("DISCHARGED", f"{container_no}-dis", (ordered - timedelta(hours=1)).isoformat(), **common),
        event("INSPECTION_ORDERED", f"{container_no}-ord", ordered.isoformat(), source="CUSTOMS",
              publisher="4201", customs_code="C", **common),
    ]
    produce(stack.settings.kafka_bootstrap_servers, stack.settings.events_topic,
            [(message_key(e), encode(e)) for e in events])


def wait_for_alert(stack: Stack, container_no: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = api_get(stack, "office", "/api/v1/alerts?state=open&per_page=100")
        found = [a for a in body.get("items", []) if a["container_no"] == container_no] if status == 200 else []
        if found:
            return found[0]
        time.sleep(0.5)
    raise AssertionError(f"no open alert on {container_no} after {timeout:.0f} s: {status} {body!r:.300}")


def chart_series(page: Page, name: str) -> list[list[Any]]:
    """The data of every series of the named ECharts instance, as ECharts holds it."""
    return page.evaluate("name => window.__charts[name].getOption().series.map(s => s.data)", name)


def values(series: list[list[Any]]) -> list[float]:
    flat = [v[-1] if isinstance(v, list) else v for data in series for v in data]
    return [v for v in flat if isinstance(v, (int, float))]


def test_the_dashboard_draws_every_figure_downloads_csv_and_acknowledges_alerts(dashboard_stack: Stack,
                                                                                 page: Page) -> None:
    stack = dashboard_stack
    publish_history(stack, days=3)
    overdue_container(stack)
    alert = wait_for_alert(stack, OVERDUE)
    assert alert["step"] == "REPOSITION" and alert["tier"] in ("WARNING", "ALARM")

    login(page, stack, "office")
    page.click("a[href='#/port']")
    expect(page.locator("main h1")).to_have_text("Clearance time dashboard")
    expect(page.locator("main[data-drawn='true']")).to_be_attached(timeout=30_000)
    for name in CHARTS:  # each chart drawn by ECharts with numbers in its series, not just a canvas
        numbers = values(chart_series(page, name))
        assert numbers and any(v > 0 for v in numbers), (name, chart_series(page, name))
        expect(page.locator(f"[data-panel='{name}'] canvas").first).to_be_visible()
    # the stage chart stacks each direction's stages; the trend has a point per day with figures
    assert len(chart_series(page, "stages")) >= 6
    assert page.evaluate("window.__charts.trend.getOption().xAxis[0].data.length") >= 3
    check_kpis_match_the_api(page, stack)
    check_csv_download(page)
    # compliance: the overdue box counts as a REPOSITION step past its limit
    reposition = page.locator("table.compliance tr[data-step='REPOSITION']")
    expect(reposition).to_contain_text("Move to the inspection platform")
    assert int(reposition.locator("td").nth(2).inner_text().replace(",", "")) >= 1
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "dashboard-en")

    row = page.locator(f"tr[data-container='{OVERDUE}']").first
    expect(row).to_contain_text("Move to the inspection platform")
    row.locator("button.acknowledge").click()
    dialog = page.locator("dialog.reason-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("button[type=submit]").click()  # no reason: refused by the form, the dialog stays
    expect(dialog).to_be_visible()
    dialog.locator("textarea").fill("Crane QC07 down, box queued for 调箱")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_have_count(0)
    expect(row).to_contain_text("Acknowledged: Crane QC07 down, box queued for 调箱")
    _, stored = api_get(stack, "office", f"/api/v1/alerts/{row.get_attribute('data-alert')}")
    assert stored["state"] == "ACKNOWLEDGED" and stored["acknowledge_reason"] == "Crane QC07 down, box queued for 调箱"
    assert stored["acknowledged_by"] == "office"

    # a step that goes overdue while the page is open appears without a reload
    page.evaluate("window.__marker = 'same page'")
    overdue_container(stack, LATE, hours_ago=0.6)  # past the 30 min warning
    late = page.locator(f"tr[data-container='{LATE}']")
    expect(late).to_contain_text("Warning", timeout=30_000)
    expect(late.locator("button.acknowledge")).to_be_visible()
    assert page.evaluate("window.__marker") == "same page"

    page.click("button[data-lang='zh-CN']")
    expect(page.locator("main h1")).to_have_text("通关时效看板")
    expect(page.locator("[data-panel='histogram'] h2")).to_have_text("通关时间分布")
    expect(page.locator(f"tr[data-container='{OVERDUE}']").first).to_contain_text("查验通知后调箱到位")
    assert page.evaluate("window.__charts.trend.getOption().yAxis[0].name") == "小时"
    assert values(chart_series(page, "histogram"))  # drawn again, with its data, in Chinese
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "dashboard-zh")

    page.select_option("#dash-direction", "EXPORT")
    page.wait_for_function("() => window.__dashboard && window.__dashboard.filter.direction === 'EXPORT' "
                           "&& document.querySelector('main').dataset.drawn === 'true'")
    assert page.evaluate("window.__charts.survival.getOption().xAxis[0].max") == 48  # export hours
    assert "direction=EXPORT" in page.url
    page.locator(f"tr[data-container='{OVERDUE}'] a.container-no").first.click()
    expect(page.locator("h1.container-title")).to_contain_text(OVERDUE)
    expect(page.locator("li.entry[data-type='INSPECTION_ORDERED']")).to_be_visible()
    assert page.errors == []  # type: ignore[attr-defined]


def test_an_enterprise_and_a_terminal_see_their_own_figures(dashboard_stack: Stack, page: Page) -> None:
    stack = dashboard_stack
    publish_history(stack, days=3)
    overdue_container(stack, uscc=ENTERPRISES[0].uscc)  # the exporter's own box (an import of theirs)
    wait_for_alert(stack, OVERDUE)
    month = "/api/v1/stats/clearance-time?direction=EXPORT&measure=gacc"
    port, own = api_get(stack, "office", month)[1], api_get(stack, "sim-exporter", month)[1]
    assert 0 < own["groups"][0]["count"] < port["groups"][0]["count"] and own["port_p50"] is not None

    login(page, stack, "sim-exporter")  # an exporter the simulator publishes for: its own figures
    page.goto(f"{stack.base_url}/#/port?direction=EXPORT")
    expect(page.locator("main[data-drawn='true']")).to_be_attached(timeout=30_000)
    trend = page.evaluate("window.__charts.trend.getOption().series[0].data")
    assert [g["p50"] for g in sorted(own["groups"], key=lambda g: g["key"])] != [] and trend
    expect(page.locator(".kpi-port").first).to_contain_text("Port median")
    _, mine = api_get(stack, "sim-exporter", "/api/v1/alerts?state=open&per_page=100")
    assert OVERDUE in {a["container_no"] for a in mine["items"]}
    expect(page.locator("tr.alert-row")).to_have_count(min(mine["total"], 50))
    expect(page.locator(f"tr[data-container='{OVERDUE}']")).to_contain_text("Move to the inspection platform")
    expect(page.locator("button.acknowledge")).to_have_count(0)  # enterprises see alerts, never acknowledge
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "dashboard-enterprise")

    page.context.clear_cookies()
    login(page, stack, "ytct")  # a terminal: its own terminal only, and it acknowledges its alerts
    page.goto(f"{stack.base_url}/#/port")
    expect(page.locator("main[data-drawn='true']")).to_be_attached(timeout=30_000)
    assert page.evaluate("window.__charts.terminals.getOption().xAxis[0].data") == ["YTCT"]
    expect(page.locator(f"tr[data-container='{OVERDUE}'] button.acknowledge")).to_be_visible()
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_dashboards_pure_pieces(dashboard_stack: Stack, page: Page) -> None:
    """Bands of the histogram and compliance added up per step, run in the browser as the page runs them."""
    login(page, dashboard_stack, "office")
    result = page.evaluate("""async () => {
      const charts = await import("/static/js/charts.js");
      const panels = await import("/static/js/dashpanels.js");
      const rules = [{ step: "REPOSITION", terminal: null, name_en: "Move", name_zh: "调箱", alarm_seconds: 3600,
                       commitment_percent: 99, enabled: true },
                     { step: "INSPECTION", terminal: null, size: 20, alarm_seconds: 7200, commitment_percent: null },
                     { step: "INSPECTION", terminal: null, size: null, alarm_seconds: 10800, commitment_percent: null },
                     { step: "REPOSITION", terminal: "YTCT", alarm_seconds: 1800, commitment_percent: 99 }];
      const rows = [{ step: "REPOSITION", terminal: "YTCT", steps: 10, within: 9, commitment_percent: 99 },
                    { step: "REPOSITION", terminal: "YTGD", steps: 10, within: 10, commitment_percent: 99 },
                    { step: "INSPECTION", terminal: "YTCT", steps: 4, within: 4, commitment_percent: null }];
      return { bands: charts.bands([{ hours: 2, share_ended: 0.25 }, { hours: 8, share_ended: 0.75 }]),
               all: panels.complianceByStep(rows, rules), ytct: panels.complianceByStep(rows, rules, "YTCT") };
    }""")
    assert [b["share"] for b in result["bands"]] == [0.25, 0.5, 0.25]
    assert [b["label"] for b in result["bands"]] == ["0–2 h", "2–8 h", "over 8 h"]
    reposition = result["all"][0]
    assert (reposition["step"], reposition["done"], reposition["within"], reposition["share"]) == ("REPOSITION", 20, 19, 0.95)
    assert reposition["limits"] == [3600] and reposition["commitment_percent"] == 99  # the port-wide rule
    assert result["all"][1]["limits"] == [7200, 10800]
    assert result["ytct"][0]["share"] == 0.9


def check_kpis_match_the_api(page: Page, stack: Stack) -> None:
    """Each KPI card shows the API's P50 for its direction and period (or says there is none)."""
    today = datetime.now(SHANGHAI).date()
    tomorrow = (today + timedelta(days=1)).isoformat()
    shown = 0
    for direction in ("IMPORT", "EXPORT"):
        for period, start in (("today", today.isoformat()), ("month", today.replace(day=1).isoformat())):
            _, answer = api_get(stack, "office", f"/api/v1/stats/clearance-time?direction={direction}"
                                f"&measure=gacc&from={start}&to={tomorrow}")
            card = page.locator(f"article.kpi[data-kpi='{direction}-{period}']")
            group = answer["groups"][0] if answer["groups"] else None
            if group and group["count"]:
                expect(card).to_have_attribute("data-p50", str(group["p50"]))
                expect(card.locator(".kpi-count")).to_contain_text(f"{group['count']:,} visits")
                shown += 1
            else:
                expect(card.locator(".kpi-none")).to_have_text("No data yet")
            expect(card.locator(".kpi-ref")).to_contain_text("32.02 h" if direction == "IMPORT" else "1.03 h")
    _, month = api_get(stack, "office", "/api/v1/stats/clearance-time?direction=IMPORT&measure=gacc")
    assert month["groups"][0]["count"] > 20  # three days of the port: the 30-day figures are not empty


def check_csv_download(page: Page) -> None:
    """The histogram's CSV: the API's rows behind the figure, for the direction shown."""
    with page.expect_download() as info:
        page.click("[data-csv='histogram']")
    download = info.value
    assert download.suggested_filename.startswith("clearance-time-gacc-IMPORT-")
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {"container_no", "hours", "status", "direction"} <= set(rows[0])
    assert {row["direction"] for row in rows} == {"IMPORT"}
    closed = [float(row["hours"]) for row in rows if row["status"] == "closed"]
    assert len(closed) > 20 and all(hours >= 0 for hours in closed)
    with page.expect_download() as info:  # the stage chart shows both directions: a CSV for each
        page.click("[data-csv='stages-1']")
    stages = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert stages and {row["direction"] for row in stages} == {"EXPORT"}
    assert {"customs", "after_release"} <= {row["stage"] for row in stages}
