"""The audit log panel of the dashboard (#/port) in a real browser against the real stack: the port office
sees a failed login, its own login, a terminal's token publish, a rule change and a dead-letter replay,
filters them, pages, switches language; a terminal never sees the panel. No console errors."""
from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

from playwright.sync_api import Page, expect

from models.audit_log import DLQ_REPLAY, Actor, record, record_prune
from models.db import make_engine, session_factory
from tests.browser.conftest import login, screenshot
from tests.e2e.stack import Stack
from tests.support.factories import doc


def failed_login(stack: Stack, name: str) -> int:
    """A wrong password through the form, as a browser would send it (its CSRF token and cookie)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{stack.base_url}/login", timeout=10).read().decode()
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert csrf, page[:300]
    form = urllib.parse.urlencode({"name": name, "password": "not the password", "csrf_token": csrf.group(1)})
    try:
        opener.open(f"{stack.base_url}/login", data=form.encode(), timeout=10)
    except urllib.error.HTTPError as error:
        return error.code
    return 200


def api(stack: Stack, account: str, method: str, path: str, body: object) -> int:
    request = urllib.request.Request(f"{stack.base_url}{path}", method=method, data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {stack.accounts[account].token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as answer:
        return answer.status


def seed_activity(stack: Stack) -> None:
    assert failed_login(stack, "ytct") == 401
    assert api(stack, "ytct", "POST", "/api/v1/events", doc("GATE_IN", "audit-view-1", "2026-11-20T08:00:00+08:00")) == 202
    rule = {"warning_seconds": 1500, "alarm_seconds": 3300, "commitment_percent": 99.0, "enabled": True}
    assert api(stack, "office", "PUT", "/api/v1/alert-rules/1", rule) == 200
    engine = make_engine(stack.settings.database_url)
    with session_factory(engine)() as session:  # what `clearance dlq replay --by ops-li` writes
        record(session, DLQ_REPLAY, Actor("ops-li"), "replayed 2 dead letter(s) from clearance.events.dlq",
               {"dlq_topic": "clearance.events.dlq", "events_topic": "clearance.events", "again": False,
                "letters": ["clearance.events.dlq[0]@4", "clearance.events.dlq[0]@7"]})
        session.commit()
        record_prune(session, None, Actor("overdue watcher"), datetime(2025, 10, 27, tzinfo=timezone.utc), 12, 400)
        session.commit()
    engine.dispose()


def test_the_port_office_reads_the_audit_log_on_its_dashboard(page: Page, stack: Stack) -> None:
    seed_activity(stack)
    login(page, stack, "office")
    page.goto(f"{stack.base_url}/#/port")
    panel = page.locator('[data-panel="audit"][data-state="loaded"]')
    expect(panel).to_be_visible()
    rows = panel.locator("tr.audit-row")
    expect(rows).to_have_count(6)  # newest first: the office's login, the prune, the replay, the rule, ...
    expect(rows.first).to_contain_text("office")
    expect(rows.first.locator(".badge.outcome")).to_have_text("Succeeded")
    expect(panel.locator('tr[data-kind="login"] .badge.outcome-failed')).to_have_text("Failed")
    expect(panel.locator('tr[data-kind="publish"]')).to_contain_text("Token #")
    expect(panel.locator('tr[data-kind="publish"] .detail-line')).to_have_text("1 accepted, 0 rejected (json)")
    expect(panel.locator('tr[data-kind="rule_edit"] .detail-line')).to_contain_text("alarm_seconds: 3600 → 3300")
    expect(panel.locator('tr[data-kind="dlq_replay"] .detail-line')).to_contain_text("2 letter(s)")
    expect(panel.locator('tr[data-kind="audit_prune"] .detail-line')).to_have_text(
        "12 entries stamped before 2025-10-27 08:00:00 UTC+8 deleted (400 days kept)")
    expect(panel.locator('tr[data-kind="audit_prune"] .badge.kind')).to_have_text("Log pruned")
    assert "not the password" not in panel.inner_text()
    expect(panel.locator(".audit-table th")).to_have_count(5)
    assert panel.evaluate("(node) => getComputedStyle(node.querySelector('.badge.outcome-ok')).backgroundColor") \
        == "rgb(230, 244, 234)"  # static/css/audit.css is applied
    screenshot(page, "audit-log")

    page.select_option("#audit-kind", "publish")
    expect(panel.locator("tr.audit-row")).to_have_count(1)
    expect(panel.locator("tr.audit-row")).to_contain_text("ytct")
    page.select_option("#audit-kind", "")
    page.fill("#audit-actor", "ytct")
    page.click(".audit-filters button[type=submit]")
    expect(panel.locator("tr.audit-row")).to_have_count(2)
    expect(panel.locator(".pager-position")).to_have_text("Page 1 of 1")

    page.click('[data-lang="zh-CN"]')
    expect(page.locator('[data-panel="audit"] h2')).to_have_text("审计日志")
    expect(page.locator('[data-panel="audit"] .badge.outcome-failed')).to_have_text("失败")
    screenshot(page, "audit-log-zh")
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_terminal_never_sees_the_panel(page: Page, stack: Stack) -> None:
    login(page, stack, "ytct")
    page.goto(f"{stack.base_url}/#/port")
    page.wait_for_function("() => document.querySelector('#main').dataset.drawn === 'true'")
    expect(page.locator('[data-panel="audit"]')).to_be_hidden()
    assert page.locator("tr.audit-row").count() == 0
    assert page.errors == []  # type: ignore[attr-defined]
