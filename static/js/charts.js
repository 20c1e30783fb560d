// The dashboard's charts: Apache ECharts (window.echarts, /static/vendor/echarts.common.min.js) options
// built from the stats API's answers. Every instance is kept in window.__charts by name (tests and the
// benchmark read their series from there) and redrawn at its container's size.

import { t } from "./i18n.js";

const FONT = 'system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
export const COLORS = { p50: "#0b5394", p90: "#e8710a", national: "#c5221f", bars: "#0f8b8d",
  stages: ["#1f6fd1", "#0f8b8d", "#7b4fd6", "#1e8e3e", "#e8710a", "#5a6b7d"] };
const observers = new WeakMap();

let loading = null;

/** Load ECharts once (a plain script from /static/vendor, only on the pages that draw charts). */
export function loadCharts() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      if (window.echarts) { resolve(window.echarts); return; }
      const script = document.createElement("script");
      script.src = "/static/vendor/echarts.common.min.js";
      script.onload = () => resolve(window.echarts);
      script.onerror = () => { loading = null; reject(new Error("could not load the charts library")); };
      document.head.appendChild(script);
    });
  }
  return loading;
}

/** Draw `option` into `node` (one ECharts instance per node); resolves once ECharts finished drawing. */
export async function drawChart(node, name, option) {
  const echarts = await loadCharts();
  if (!node.isConnected) return null; // the page was drawn again meanwhile
  const chart = echarts.getInstanceByDom(node) || echarts.init(node, null, { renderer: "canvas" });
  if (!observers.has(node)) {
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(node);
    observers.set(node, observer);
  }
  window.__charts = window.__charts || {};
  window.__charts[name] = chart;
  node.dataset.chart = name;
  const finished = new Promise((resolve) => chart.on("finished", function done() {
    chart.off("finished", done);
    resolve(chart);
  }));
  chart.setOption({ textStyle: { fontFamily: FONT }, animation: false, ...option }, true);
  return finished;
}

/** Dispose of the charts drawn inside `root` (the page is left). */
export function disposeCharts(root) {
  root.querySelectorAll("[data-chart]").forEach((node) => {
    observers.get(node)?.disconnect();
    observers.delete(node);
    const chart = window.echarts && window.echarts.getInstanceByDom(node);
    if (chart) chart.dispose();
    if (window.__charts && window.__charts[node.dataset.chart] === chart) delete window.__charts[node.dataset.chart];
  });
}

/** Hours as text: "32.0 h", "1.03 h" (two decimals under ten hours), "—" for none. */
export function hours(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ${t("unit.hShort")}`;
}

/** A reference figure as published, with its two decimals: "32.02 h". */
export function reference(value) { return `${value.toFixed(2)} ${t("unit.hShort")}`; }

const percent = (share) => Math.round(share * 1000) / 10;
const axisHours = () => ({ type: "value", name: t("chart.hours"), nameTextStyle: { color: "#5b6b7b" },
  axisLabel: { color: "#5b6b7b" }, splitLine: { lineStyle: { color: "#eef2f6" } } });
// Drawn on the canvas: ECharts' HTML tooltips are markup with inline style attributes, which the portal's
// Content-Security-Policy (no 'unsafe-inline' styles) refuses.
const tooltip = { trigger: "axis", confine: true, renderMode: "richText" };

function base(extra = {}) {
  return { grid: { left: 16, right: 24, top: 36, bottom: 16, containLabel: true }, tooltip, ...extra };
}

/** Bands between the survival points: [{label, share}] (the last one open-ended). */
export function bands(survival) {
  const out = [];
  let before = 0;
  let from = 0;
  for (const point of survival) {
    out.push({ label: t("chart.band", { a: from, b: point.hours }), share: Math.max(0, point.share_ended - before) });
    before = point.share_ended;
    from = point.hours;
  }
  if (survival.length) out.push({ label: t("chart.bandLast", { a: from }), share: Math.max(0, 1 - before) });
  return out;
}

export function histogramOption(survival) {
  const rows = bands(survival);
  return base({
    tooltip: { ...tooltip, valueFormatter: (v) => `${v} %` },
    xAxis: { type: "category", data: rows.map((r) => r.label), axisLabel: { color: "#5b6b7b", interval: 0, rotate: 30 } },
    yAxis: { type: "value", name: "%", axisLabel: { color: "#5b6b7b" }, splitLine: { lineStyle: { color: "#eef2f6" } } },
    grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
    series: [{ name: t("chart.share"), type: "bar", data: rows.map((r) => percent(r.share)),
      itemStyle: { color: COLORS.bars, borderRadius: [3, 3, 0, 0] }, barCategoryGap: "18%" }],
  });
}

export function survivalOption(survival, national) {
  const data = [[0, 0], ...survival.map((p) => [p.hours, percent(p.share_ended)])];
  return base({
    tooltip: { ...tooltip, formatter: (items) => `${t("chart.within", { h: items[0].value[0] })}: ${items[0].value[1]} %` },
    grid: { left: 16, right: 24, top: 36, bottom: 30, containLabel: true },
    xAxis: { ...axisHours(), nameLocation: "middle", nameGap: 26, type: "log", logBase: 2,
      axisLabel: { color: "#5b6b7b", hideOverlap: true },
      min: survival.length ? survival[0].hours : 1,
      max: survival.length ? survival[survival.length - 1].hours : 2 },
    yAxis: { type: "value", max: 100, name: "%", axisLabel: { color: "#5b6b7b" }, splitLine: { lineStyle: { color: "#eef2f6" } } },
    series: [{ name: t("chart.share"), type: "line", data: data.slice(1), smooth: false, symbolSize: 6,
      lineStyle: { width: 3, color: COLORS.p50 }, itemStyle: { color: COLORS.p50 }, areaStyle: { opacity: 0.08 },
      markLine: nationalLine(national, "x") }],
  });
}

function nationalLine(value, axis) {
  if (!value) return undefined;
  return { symbol: "none", silent: true, lineStyle: { color: COLORS.national, type: "dashed" },
    label: { formatter: `${t("chart.national")} ${reference(value)}`, color: COLORS.national, position: "insideEndTop" },
    data: [{ [`${axis}Axis`]: value }] };
}

export function trendOption(dayGroups, national) {
  const days = dayGroups.filter((g) => g.key).sort((a, b) => (a.key < b.key ? -1 : 1));
  const line = (name, key, color) => ({ name, type: "line", data: days.map((g) => g[key]), symbolSize: 5,
    connectNulls: true, lineStyle: { width: key === "p50" ? 3 : 2, color }, itemStyle: { color } });
  const p50 = line("P50", "p50", COLORS.p50);
  p50.markLine = nationalLine(national, "y");
  return base({
    tooltip: { ...tooltip, valueFormatter: hours },
    legend: { top: 0, right: 8, data: ["P50", "P90"] },
    xAxis: { type: "category", data: days.map((g) => g.key.slice(5)), axisLabel: { color: "#5b6b7b" } },
    yAxis: axisHours(),
    series: [p50, line("P90", "p90", COLORS.p90)],
  });
}

/** Stacked mean hours per stage, one bar per direction. `stages`: {IMPORT: answer, EXPORT: answer}. */
export function stagesOption(stages, name) {
  const directions = ["IMPORT", "EXPORT"].filter((d) => stages[d]);
  const keys = [...new Set(directions.flatMap((d) => stages[d].groups.map((g) => g.key)))];
  const longest = Math.max(...directions.map((d) => stages[d].groups.reduce((sum, g) => sum + (g.mean || 0), 0)), 1);
  const series = keys.map((key, index) => ({
    name: stageName(stages, key, name), type: "bar", stack: "time", barMaxWidth: 38,
    itemStyle: { color: COLORS.stages[index % COLORS.stages.length] },
    // a label only where the segment has room for it
    label: { show: true, formatter: (p) => (p.value >= 0.09 * longest ? hours(p.value) : ""), color: "#fff", fontSize: 11 },
    data: directions.map((d) => stages[d].groups.find((g) => g.key === key)?.mean ?? null),
  }));
  return base({
    tooltip: { ...tooltip, axisPointer: { type: "shadow" }, valueFormatter: hours },
    legend: { top: 0, left: 0, itemGap: 12 },
    grid: { left: 8, right: 24, top: 56, bottom: 30, containLabel: true },
    xAxis: { ...axisHours(), nameLocation: "middle", nameGap: 26 },
    yAxis: { type: "category", data: directions.map((d) => t(`direction.${d}`)),
      axisLabel: { color: "#1c2733", fontWeight: 600 } },
    series,
  });
}

function stageName(stages, key, name) {
  for (const answer of Object.values(stages)) {
    const group = answer && answer.groups.find((g) => g.key === key);
    if (group) return name(group);
  }
  return key;
}

export function terminalsOption(groups) {
  const rows = groups.filter((g) => g.key);
  const bar = (label, key, color) => ({ name: label, type: "bar", data: rows.map((g) => g[key]),
    itemStyle: { color, borderRadius: [3, 3, 0, 0] }, barMaxWidth: 34 });
  return base({
    tooltip: { ...tooltip, axisPointer: { type: "shadow" }, valueFormatter: hours },
    legend: { top: 0, right: 8 },
    xAxis: { type: "category", data: rows.map((g) => g.key), axisLabel: { color: "#1c2733", fontWeight: 600 } },
    yAxis: axisHours(),
    series: [bar("P50", "p50", COLORS.p50), bar("P90", "p90", COLORS.p90)],
  });
}
