// The port office's audit log on the dashboard (GET /api/v1/audit): logins, publishing with API tokens,
// time-limit rule changes, dead-letter replays and prunes of the log itself, newest first, with filters
// (kind, who, period) and pages. Anyone else gets nothing: the panel stays hidden (and the API answers
// them 404).

import "./auditwords.js";
import { getSession } from "./api.js";
import { asText, fill, formatShortTime, formatTime, h, timeElement } from "./dom.js";
import { language, t } from "./i18n.js";
import { apiUrl } from "./statsapi.js";

export const KINDS = ["login", "publish", "rule_edit", "dlq_replay", "audit_prune"];
const PERIODS = { "1h": 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400, all: 0 };
const PER_PAGE = 20;
const DEFAULTS = { kind: "", actor: "", since: "7d", page: 1 };

async function getAudit(filter) {
  const seconds = PERIODS[filter.since];
  const since = seconds ? new Date(Date.now() - seconds * 1000).toISOString() : "";
  const answer = await fetch(apiUrl("/api/v1/audit", { kind: filter.kind, actor: filter.actor.trim(), since,
    page: filter.page, per_page: PER_PAGE }), { credentials: "same-origin", headers: { Accept: "application/json" } });
  const body = await answer.json().catch(() => null);
  if (!answer.ok) throw new Error((body && body.message) || `HTTP ${answer.status}`);
  return body;
}

function ensureStyles() {
  if (document.querySelector("link[data-audit-css]")) return;
  document.head.appendChild(h("link", { rel: "stylesheet", href: "/static/css/audit.css", dataset: { auditCss: "" } }));
}

/** One line saying more than the summary, from the entry's detail (by kind). */
function detailLine(entry) {
  const d = entry.detail || {};
  if (entry.kind === "publish") {
    return t("audit.published", { accepted: d.accepted ?? 0, rejected: d.rejected ?? 0, channel: d.channel || "" });
  }
  if (entry.kind === "rule_edit") {
    return Object.entries(d.changed || {}).map(([name, [before, after]]) =>
      t("audit.changed", { name, before: asText(before) || "—", after: asText(after) || "—" })).join(" · ");
  }
  if (entry.kind === "dlq_replay") {
    const letters = d.letters || [];
    return t("audit.letters", { n: letters.length, list: letters.slice(0, 5).join(", ") + (letters.length > 5 ? " …" : "") });
  }
  if (entry.kind === "audit_prune") {
    return t("audit.pruned", { n: d.deleted ?? 0, days: d.retention_days ?? "", cutoff: d.cutoff ? formatTime(d.cutoff) : "" });
  }
  return "";
}

function row(entry) {
  const who = [entry.token_id ? t("audit.token", { id: entry.token_id }) : "",
    entry.address ? t("audit.from", { address: entry.address }) : ""].filter(Boolean).join(" · ");
  const more = detailLine(entry);
  return h("tr", { class: "audit-row", dataset: { entry: String(entry.id), kind: entry.kind } },
    h("td", { class: "when" }, timeElement(entry.at, {}, formatShortTime)),
    h("td", {}, h("span", { class: `badge kind kind-${entry.kind}` }, t(`audit.kind.${entry.kind}`))),
    h("td", {}, h("span", { class: "actor" }, entry.actor), who ? h("span", { class: "sub-line" }, who) : null),
    h("td", {}, h("span", { class: `badge outcome outcome-${entry.outcome}` }, t(`audit.outcome.${entry.outcome}`))),
    h("td", { class: "summary" }, entry.summary, more ? h("span", { class: "detail-line" }, more) : null));
}

function field(id, label, control) {
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

function filterForm(filter, apply, reset) {
  const kind = h("select", { id: "audit-kind", name: "kind" }, h("option", { value: "" }, t("audit.anyKind")),
    KINDS.map((k) => h("option", { value: k }, t(`audit.kind.${k}`))));
  const since = h("select", { id: "audit-since", name: "since" },
    Object.keys(PERIODS).map((p) => h("option", { value: p }, t(`audit.since.${p}`))));
  kind.value = filter.kind;
  since.value = filter.since;
  const form = h("form", { class: "audit-filters", "aria-label": t("audit.title") },
    field("audit-kind", t("audit.kind"), kind),
    field("audit-actor", t("audit.actor"), h("input", { id: "audit-actor", name: "actor", type: "search",
      maxlength: "64", value: filter.actor, placeholder: t("audit.actorHint"), autocomplete: "off" })),
    field("audit-since", t("audit.since"), since),
    h("div", { class: "field buttons" }, h("button", { type: "submit", class: "small" }, t("audit.apply")),
      h("button", { type: "button", class: "secondary small", onclick: reset }, t("audit.reset"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply({ ...filter, ...Object.fromEntries(new FormData(form).entries()), page: 1 });
  });
  [kind, since].forEach((node) => node.addEventListener("change", () => form.requestSubmit()));
  return form;
}

function pager(answer, go) {
  const pages = Math.max(1, Math.ceil(answer.total / answer.per_page));
  return h("nav", { class: "pager", "aria-label": t("audit.title") },
    h("button", { type: "button", class: "secondary small", disabled: answer.page <= 1,
      onclick: () => go(answer.page - 1) }, t("audit.prev")),
    h("span", { class: "pager-position" }, t("audit.page", { page: answer.page, pages })),
    h("button", { type: "button", class: "secondary small", disabled: answer.page >= pages,
      onclick: () => go(answer.page + 1) }, t("audit.next")));
}

/** The panel: `{node, load(), render(), unmount()}`; hidden unless the caller is the port office. */
export function mountAuditLog() {
  const node = h("section", { class: "panel audit-panel", hidden: true, dataset: { panel: "audit" } });
  let filter = { ...DEFAULTS };
  let answer = null;
  let error = null;
  let request = 0;
  let active = true;
  const count = h("span", { class: "badge count" });
  const body = h("div", { class: "audit-body" });
  let framed = null; // the language the heading and the filter form were built in: kept while one types

  function frame() {
    if (framed === language()) return;
    framed = language();
    fill(node, h("header", { class: "panel-head" }, h("h2", {}, t("audit.title")), count),
      h("p", { class: "panel-note" }, t("audit.note")),
      filterForm(filter, apply, () => { framed = null; apply({ ...DEFAULTS }); }), body);
  }

  function content() {
    if (error) return h("div", { class: "panel-state error" }, t("audit.error", { message: error }));
    if (!answer) return h("div", { class: "panel-state loading" }, h("span", { class: "spinner" }), t("audit.loading"));
    if (!answer.items.length) return h("div", { class: "panel-state empty" }, t("audit.empty"));
    return [h("div", { class: "table-scroll" }, h("table", { class: "data-table audit-table" },
      h("thead", {}, h("tr", {}, ["when", "kind", "actor", "outcome", "what"].map((c) =>
        h("th", { scope: "col" }, t(`audit.${c}`))))),
      h("tbody", {}, answer.items.map(row)))), pager(answer, (page) => apply({ ...filter, page }))];
  }

  function render() {
    if (!active || node.hidden) return;
    node.dataset.state = error ? "error" : answer ? "loaded" : "loading";
    frame();
    count.textContent = answer ? t("audit.total", { n: answer.total }) : "";
    count.hidden = !answer;
    fill(body, content());
  }

  async function apply(next) {
    filter = next;
    const mine = ++request;
    answer = null;
    error = null;
    render();
    try {
      const found = await getAudit(filter);
      if (mine === request) answer = found;
    } catch (failure) {
      if (mine === request) error = failure.message;
    }
    if (mine === request) render();
  }

  async function load() {
    const session = await getSession().catch(() => null);
    if (!active || !session || session.role !== "port-office") return;
    ensureStyles();
    node.hidden = false;
    await apply(filter);
  }

  return { node, load, render, unmount: () => { active = false; } };
}
