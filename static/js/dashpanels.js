// The dashboard's pieces as DOM: the filter bar, the "in the port now" strip, the KPI cards, a chart
// panel (title, CSV download, drawing area) and the compliance table. Pure builders: data in, nodes out.

import { hours, reference } from "./charts.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

export const NATIONAL = { IMPORT: 32.02, EXPORT: 1.03 }; // GACC 2022 full year (DOMAIN.md §6)
export const LANES = ["normal", "advance_declaration", "two_step", "direct_pickup", "direct_loading"];
export const TERMINALS = ["YTCT", "YTGD", "YTLG"];

function field(id, label, control) {
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

function select(id, name, value, options) {
  const node = h("select", { id, name }, options.map(([v, text]) => h("option", { value: v }, text)));
  node.value = value;
  return node;
}

/** The filter form; `apply(next)` gets the new filter, `reset()` the defaults. */
export function filterBar(filter, terminals, apply, reset) {
  const known = [...new Set([...TERMINALS, ...terminals, filter.terminal].filter(Boolean))].sort();
  const form = h("form", { class: "toolbar dash-filters", "aria-label": t("dash.title") },
    field("dash-from", t("filter.from"), h("input", { id: "dash-from", name: "from", type: "date", value: filter.from,
      required: true })),
    field("dash-to", t("filter.to"), h("input", { id: "dash-to", name: "to", type: "date", value: filter.to,
      required: true })),
    field("dash-direction", t("filter.direction"), select("dash-direction", "direction", filter.direction,
      ["IMPORT", "EXPORT"].map((d) => [d, t(`direction.${d}`)]))),
    field("dash-terminal", t("filter.terminal"), select("dash-terminal", "terminal", filter.terminal,
      [["", t("filter.anyTerminal")], ...known.map((code) => [code, code])])),
    field("dash-lane", t("filter.lane"), select("dash-lane", "lane", filter.lane,
      [["", t("filter.anyLane")], ...LANES.map((lane) => [lane, t(`lane.${lane}`)])])),
    field("dash-inspected", t("filter.inspected"), select("dash-inspected", "inspected", filter.inspected,
      [["", t("filter.anyInspected")], ["true", t("filter.inspectedYes")], ["false", t("filter.inspectedNo")]])),
    h("div", { class: "field buttons" }, h("button", { type: "submit" }, t("filter.apply")),
      h("button", { type: "button", class: "secondary", onclick: reset }, t("filter.reset"))),
    h("p", { class: "field-error", role: "alert" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form).entries());
    const bad = values.to < values.from;
    form.querySelector(".field-error").textContent = bad ? t("filter.badDates") : "";
    if (!bad) apply({ ...filter, ...values });
  });
  form.querySelectorAll("select").forEach((node) => node.addEventListener("change", () => form.requestSubmit()));
  return form;
}

function tile(label, value, extra = {}) {
  return h("div", { class: `now-tile${extra.alert ? " attention" : ""}`, dataset: { tile: extra.name } },
    h("span", { class: "now-value" }, value), h("span", { class: "now-label" }, label));
}

/** Containers under way by stage, inspection rate, holds, open alerts. */
export function nowStrip(now) {
  if (!now) return h("section", { class: "now-strip loading" }, h("span", { class: "spinner" }), t("dash.loading"));
  const rate = now.inspection_rate === null ? "—" : `${(now.inspection_rate * 100).toFixed(1)} %`;
  return h("section", { class: "now-strip", "aria-label": t("now.title") },
    h("h2", { class: "visually-hidden" }, t("now.title")),
    tile(t("now.active"), now.active.toLocaleString(), { name: "active" }),
    h("div", { class: "now-stages" }, now.stages.filter((s) => s.count > 0).map((s) =>
      h("span", { class: `badge stage-${s.stage.toLowerCase()}`, dataset: { stage: s.stage } },
        `${t(`stage.${s.stage}`)} ${s.count.toLocaleString()}`))),
    tile(t("now.inspection"), rate, { name: "inspection" }),
    tile(t("now.holds"), now.active_holds.toLocaleString(), { name: "holds", alert: now.active_holds > 0 }),
    tile(t("now.alerts"), now.open_alerts.toLocaleString(), { name: "alerts", alert: now.open_alerts > 0 }));
}

function kpiCard(direction, period, answer) {
  const group = answer && answer.groups && answer.groups[0];
  const national = NATIONAL[direction];
  const head = h("div", { class: "kpi-head" }, h("span", { class: `direction direction-${direction.toLowerCase()}` },
    t(`kpi.${direction.toLowerCase()}`)), h("span", { class: "kpi-period" }, t(`kpi.${period}`)));
  if (!answer) return h("article", { class: "kpi loading" }, head, h("span", { class: "spinner" }));
  const port = answer.port_p50 !== null && answer.port_p50 !== undefined
    ? h("p", { class: "kpi-port" }, t("kpi.port", { h: hours(answer.port_p50) })) : null; // enterprises
  if (!group || !group.count) {
    return h("article", { class: "kpi empty", dataset: { kpi: `${direction}-${period}` } }, head,
      h("p", { class: "kpi-none" }, t("kpi.none")), port,
      h("p", { class: "kpi-ref" }, t("kpi.national", { h: reference(national) })));
  }
  const delta = group.mean === null ? null : (group.mean - national) / national;
  const tone = delta === null ? "" : delta <= 0 ? " better" : " worse";
  const deltaText = delta === null ? "" : `${delta > 0 ? "+" : "−"}${Math.abs(delta * 100).toFixed(0)} %`;
  return h("article", { class: "kpi", dataset: { kpi: `${direction}-${period}`, p50: String(group.p50) } }, head,
    h("div", { class: "kpi-figures" },
      h("div", {}, h("span", { class: "kpi-label" }, t("kpi.p50")), h("strong", { class: "kpi-p50" }, hours(group.p50))),
      h("div", {}, h("span", { class: "kpi-label" }, t("kpi.p90")), h("span", { class: "kpi-p90" }, hours(group.p90)))),
    h("p", { class: "kpi-count" }, t("kpi.count", { n: group.count.toLocaleString() }),
      answer.open ? ` · ${t("kpi.open", { n: answer.open.toLocaleString() })}` : ""),
    h("p", { class: `kpi-ref${tone}` }, t("kpi.national", { h: reference(national) }),
      deltaText ? h("span", { class: "kpi-delta" }, ` · ${t("kpi.vsNational", { d: deltaText })}`) : null), port);
}

/** Four cards: import and export, today and this month. `kpis`: {"IMPORT-today": answer, …}. */
export function kpiCards(kpis) {
  return h("section", { class: "kpis" }, ["IMPORT", "EXPORT"].flatMap((direction) =>
    ["today", "month"].map((period) => kpiCard(direction, period, kpis[`${direction}-${period}`]))));
}

/** A chart's frame: title, optional note, CSV link (or links: [[label, url], …]); the drawing area is
 * `.chart-body`. */
export function chartPanel(name, title, csvUrl, note = "", wide = false) {
  const links = Array.isArray(csvUrl) ? csvUrl : [[t("chart.csv"), csvUrl]];
  return h("section", { class: `panel${wide ? " wide" : ""}`, dataset: { panel: name } },
    h("header", { class: "panel-head" }, h("h2", {}, title),
      h("span", { class: "csv-links" }, links.map(([label, url], i) => h("a", { class: "csv", href: url,
        download: "", dataset: { csv: i ? `${name}-${i}` : name } }, label)))),
    note ? h("p", { class: "panel-note" }, note) : null,
    h("div", { class: "chart-body", role: "img", "aria-label": title }));
}

/** A panel's body while waiting, on failure, or when its answer has nothing to draw. */
export function panelState(kind, message = "") {
  const text = { loading: t("dash.loading"), empty: t("chart.empty"), error: message }[kind];
  return h("div", { class: `panel-state ${kind}` }, kind === "loading" ? h("span", { class: "spinner" }) : null, text);
}

function limitText(seconds) {
  if (seconds === 0) return t("compliance.atOnce");
  const [size, unit] = seconds >= 86400 ? [86400, "unit.d"] : seconds >= 3600 ? [3600, "unit.h"] : [60, "unit.min"];
  return t(unit, { n: Math.round((seconds / size) * 10) / 10 });
}

/**
 * Compliance per step over the period: the API's rows (per day, terminal and rule) added up, with the
 * port-wide rules' names, limits and commitment. `terminal` keeps one terminal's rows only.
 */
export function complianceByStep(rows, rules, terminal = "") {
  const byStep = new Map();
  for (const rule of rules.filter((r) => r.terminal === null && r.enabled !== false)) {
    const entry = byStep.get(rule.step) || { step: rule.step, name_en: rule.name_en, name_zh: rule.name_zh,
      limits: [], done: 0, within: 0, commitment_percent: rule.commitment_percent };
    if (!entry.limits.includes(rule.alarm_seconds)) entry.limits.push(rule.alarm_seconds);
    byStep.set(rule.step, entry);
  }
  for (const row of rows.filter((r) => !terminal || r.terminal === terminal)) {
    const entry = byStep.get(row.step) || { step: row.step, limits: [], done: 0, within: 0,
      commitment_percent: row.commitment_percent };
    entry.done += row.steps;
    entry.within += row.within;
    byStep.set(row.step, entry);
  }
  return [...byStep.values()].map((e) => ({ ...e, limits: e.limits.sort((a, b) => a - b),
    share: e.done ? e.within / e.done : null })).sort((a, b) => b.done - a.done || (a.step < b.step ? -1 : 1));
}

/** The share of steps done within their limit, against the published commitment. */
export function complianceTable(steps, stepName) {
  if (!steps.some((s) => s.done)) return panelState("empty", t("compliance.empty"));
  return h("table", { class: "data-table compliance" },
    h("thead", {}, h("tr", {}, ["step", "limit", "done", "within", "share", "commitment"].map((c) =>
      h("th", { scope: "col" }, t(`compliance.${c}`))))),
    h("tbody", {}, steps.map((row) => {
      const promised = row.commitment_percent !== null && row.commitment_percent !== undefined;
      const below = promised && row.share !== null && row.share * 100 < row.commitment_percent;
      return h("tr", { dataset: { step: row.step }, class: below ? "below" : "" },
        h("td", {}, stepName(row)), h("td", { class: "num" }, row.limits.map(limitText).join(" / ") || "—"),
        h("td", { class: "num" }, row.done.toLocaleString()), h("td", { class: "num" }, row.within.toLocaleString()),
        h("td", { class: "num share" }, row.share === null ? "—" : `${(row.share * 100).toFixed(1)} %`),
        h("td", { class: "num" }, promised ? `${row.commitment_percent} %` : "—",
          below ? h("span", { class: "below-mark" }, ` ${t("compliance.below")}`) : null));
    })));
}
