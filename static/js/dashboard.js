// The port office's dashboard (#/port?direction=&from=&to=&terminal=&lane=&inspected=): how long clearance
// takes (KPI cards against the national figures), its distribution, daily trend, stages and terminals,
// the share done within X hours, time-limit compliance and the live overdue alerts. Terminals and
// enterprises get the same page over what they may see (the API scopes every figure).

import "./dashwords.js";
import { mountAlerts } from "./alerts.js";
import { mountAuditLog } from "./audit.js";
import { disposeCharts, drawChart, histogramOption, loadCharts, stagesOption, survivalOption, terminalsOption,
  trendOption } from "./charts.js";
import { chartPanel, complianceByStep, complianceTable, filterBar, kpiCards, NATIONAL, nowStrip,
  panelState } from "./dashpanels.js";
import { fill, formatTime, h } from "./dom.js";
import { labelKey, t } from "./i18n.js";
import { apiUrl, getAlertRules, getClearanceTime, getCompliance, getNow, getStages, nextDay,
  scopeParams } from "./statsapi.js";

// The "share ended within" points asked for: the histogram's bands and the curve's points.
const WITHIN = { IMPORT: [2, 4, 8, 12, 16, 24, 36, 48, 72, 96, 168, 336],
  EXPORT: [0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 24, 48] };
const CHARTS = ["histogram", "survival", "trend", "stages", "terminals"];

/** Today's date in Asia/Shanghai, YYYY-MM-DD. */
export function shanghaiToday(now = new Date()) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(now);
}

function daysBefore(day, n) {
  const moment = new Date(`${day}T00:00:00Z`);
  moment.setUTCDate(moment.getUTCDate() - n);
  return moment.toISOString().slice(0, 10);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The page's filter from the address: the last 30 days, imports, everything, by default. */
export function normalise(params) {
  const today = shanghaiToday();
  const pick = (key, allowed) => (allowed.includes(params.get(key)) ? params.get(key) : "");
  const to = DAY.test(params.get("to") || "") ? params.get("to") : today;
  const from = DAY.test(params.get("from") || "") && params.get("from") <= to ? params.get("from") : daysBefore(to, 29);
  return { from, to, direction: pick("direction", ["IMPORT", "EXPORT"]) || "IMPORT",
    terminal: /^[A-Za-z0-9_-]{1,16}$/.test(params.get("terminal") || "") ? params.get("terminal") : "",
    lane: params.get("lane") || "", inspected: pick("inspected", ["true", "false"]) };
}

export function mountDashboard(root, params) {
  let filter = normalise(params);
  let data = {};
  let errors = {};
  let request = 0;
  let active = true;
  const alerts = mountAlerts();
  const audit = mountAuditLog(); // the port office's alone; hidden for everyone else

  function stepName(row) { return row[`name_${labelKey()}`] || row.step; }
  function stageName(group) { return group[labelKey()] || group.key; }

  function render() {
    if (!active) return;
    disposeCharts(root);
    const terminals = (data.terminals?.groups || []).map((g) => g.key).filter(Boolean);
    const csv = (path, extra = {}) => apiUrl(path, { ...scopeParams(filter, extra), format: "csv" });
    const figureCsv = csv("/api/v1/stats/clearance-time", { measure: "gacc" });
    fill(root,
      h("div", { class: "page-head" }, h("h1", {}, t("dash.title")), h("p", { class: "total" }, t("dash.subtitle")),
        data.now ? h("p", { class: "updated" }, t("dash.updated", { time: formatTime(data.now.at) })) : null),
      filterBar(filter, terminals, navigate, () => navigate(normalise(new URLSearchParams()))),
      nowStrip(data.now), kpiCards(data.kpis || {}),
      h("div", { class: "charts" },
        chartPanel("histogram", t("chart.histogram"), figureCsv, t("chart.histogramNote")),
        chartPanel("survival", t("chart.survival"), figureCsv),
        chartPanel("trend", t("chart.trend"), figureCsv, "", true),
        chartPanel("stages", t("chart.stages"), ["IMPORT", "EXPORT"].map((direction) => [
          `CSV · ${t(`direction.${direction}`)}`, csv("/api/v1/stats/stages", { direction })]), t("chart.stagesNote")),
        chartPanel("terminals", t("chart.terminals"), figureCsv)),
      h("div", { class: "lower" },
        h("section", { class: "panel", dataset: { panel: "compliance" } }, h("header", { class: "panel-head" },
          h("h2", {}, t("compliance.title")), h("a", { class: "csv", href: apiUrl("/api/v1/stats/compliance",
            { from: filter.from, to: filter.to, format: "csv" }), download: "",
            dataset: { csv: "compliance" } }, t("chart.csv"))), h("div", { class: "panel-content" })),
        alerts.node),
      audit.node);
    CHARTS.forEach(drawPanel);
    renderCompliance();
    alerts.render();
    audit.render();
  }

  function body(name) { return root.querySelector(`[data-panel="${name}"] .chart-body`); }

  const OPTIONS = {
    histogram: () => data.distribution && data.distribution.survival.length && histogramOption(data.distribution.survival),
    survival: () => data.distribution && data.distribution.survival.length
      && survivalOption(data.distribution.survival, NATIONAL[filter.direction]),
    trend: () => data.distribution && data.distribution.groups.some((g) => g.count)
      && trendOption(data.distribution.groups, NATIONAL[filter.direction]),
    stages: () => data.stages && Object.values(data.stages).some((a) => a.groups.some((g) => g.count))
      && stagesOption(data.stages, stageName),
    terminals: () => data.terminals && data.terminals.groups.some((g) => g.key && g.count)
      && terminalsOption(data.terminals.groups),
  };
  const SOURCE = { histogram: "distribution", survival: "distribution", trend: "distribution", stages: "stages",
    terminals: "terminals" };

  /** Draw one chart from its data (or say why not); resolves when it is drawn or there is nothing to draw. */
  function drawPanel(name) {
    const node = body(name);
    if (!node) return Promise.resolve();
    const failure = errors[SOURCE[name]];
    if (failure) { fill(node, panelState("error", t("dash.error", { message: failure }))); return Promise.resolve(); }
    if (!data[SOURCE[name]]) { fill(node, panelState("loading")); return Promise.resolve(); }
    const option = OPTIONS[name]();
    if (!option) { fill(node, panelState("empty")); node.dataset.empty = "true"; return Promise.resolve(); }
    node.replaceChildren();
    delete node.dataset.empty;
    return drawChart(node, name, option).catch((failure) => {
      fill(node, panelState("error", t("dash.error", { message: failure.message })));
    });
  }

  function renderCompliance() {
    const node = root.querySelector('[data-panel="compliance"] .panel-content');
    if (!node) return;
    if (errors.compliance) fill(node, panelState("error", t("dash.error", { message: errors.compliance })));
    else if (!data.compliance) fill(node, panelState("loading"));
    else fill(node, complianceTable(complianceByStep(data.compliance.items, data.compliance.rules, filter.terminal), stepName));
  }

  /** Ask for every figure at once; each part is drawn as it arrives. */
  function load() {
    const mine = ++request;
    const started = performance.now();
    data = {};
    errors = {};
    render();
    const scope = scopeParams(filter);
    const common = { terminal: filter.terminal, lane: filter.lane, inspected: filter.inspected };
    const today = shanghaiToday();
    const kpis = {};
    const parts = [
      part("distribution", getClearanceTime({ ...scope, measure: "gacc", group_by: "day",
        within: WITHIN[filter.direction] }), ["histogram", "survival", "trend"]),
      part("terminals", getClearanceTime({ ...scope, measure: "gacc", group_by: "terminal" }), ["terminals"]),
      part("stages", Promise.all(["IMPORT", "EXPORT"].map((d) => getStages(scopeParams(filter, { direction: d }))))
        .then(([IMPORT, EXPORT]) => ({ IMPORT, EXPORT })), ["stages"]),
      part("now", getNow({ direction: filter.direction, terminal: filter.terminal }), []),
      part("compliance", Promise.all([getCompliance({ from: filter.from, to: filter.to }), getAlertRules()])
        .then(([answer, rules]) => ({ ...answer, rules: rules.items })), []),
    ];
    for (const direction of ["IMPORT", "EXPORT"]) {
      for (const [period, from] of [["today", today], ["month", `${today.slice(0, 8)}01`]]) {
        parts.push(getClearanceTime({ ...common, direction, measure: "gacc", from, to: nextDay(today) })
          .then((answer) => { kpis[`${direction}-${period}`] = answer; }, () => { kpis[`${direction}-${period}`] = null; })
          .then(() => { if (mine === request) { data.kpis = { ...kpis }; swap(".kpis", kpiCards(data.kpis)); } }));
      }
    }
    parts.push(alerts.load());
    Promise.all(parts).then(() => {
      if (mine !== request || !active) return;
      root.dataset.drawn = "true";
      // for tests and bench/dashboard_render.py: when (since navigation) and how long after asking
      window.__dashboard = { drawn: true, at: performance.now(), ms: performance.now() - started, filter: { ...filter } };
    });
  }

  function part(name, promise, charts) {
    const mine = request;
    return promise.then((answer) => { if (mine === request) data[name] = answer; },
      (failure) => { if (mine === request) errors[name] = failure.message; })
      .then(() => {
        if (mine !== request || !active) return undefined;
        if (name === "now") swap(".now-strip", nowStrip(data.now));
        if (name === "compliance") renderCompliance();
        return Promise.all(charts.map(drawPanel));
      });
  }

  function swap(selector, node) {
    const old = root.querySelector(selector);
    if (old && active) old.replaceWith(node);
  }

  /** Apply filters now and record them in the address (Back still works). */
  function navigate(next) {
    const query = new URLSearchParams();
    for (const key of ["direction", "from", "to", "terminal", "lane", "inspected"]) if (next[key]) query.set(key, next[key]);
    window.history.pushState(null, "", `#/port?${query}`);
    setFilter(normalise(query));
  }

  function setFilter(next) {
    if (JSON.stringify(next) === JSON.stringify(filter)) return;
    filter = next;
    delete root.dataset.drawn;
    load();
  }

  document.title = `${t("dash.title")} · ${t("app.title")}`;
  loadCharts().catch(() => { /* each chart panel says so when it is drawn */ });
  load();
  audit.load(); // not part of `load`: the dashboard's filters do not apply to it
  return {
    render: () => { document.title = `${t("dash.title")} · ${t("app.title")}`; render(); },
    setParams: (next) => setFilter(normalise(next)),
    unmount: () => { active = false; disposeCharts(root); alerts.unmount(); audit.unmount(); delete root.dataset.drawn; },
  };
}
