// "My containers": the caller's visits from the HTTP API, filtered and paged, kept live by the
// {"scope": "mine"} subscription (the highest version of a container wins).

import { listContainers } from "./api.js";
import { fill, h } from "./dom.js";
import { nameOf, t } from "./i18n.js";
import { isScopeMessage, watch } from "./live.js";
import { renderPager, renderTable, rowKey } from "./listtable.js";
import { EVENT_TYPES, STAGES, typesOfStage } from "./vocabulary.js";

const PER_PAGE = 20;
const QUERY = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,40}$/;

/** Does a summary match the list's filters (as the server would)? For rows that arrive live. */
export function matches(filter, summary) {
  if (filter.direction && summary.direction !== filter.direction) return false;
  const current = summary.current;
  if (filter.stage && !(current && (current.stage === filter.stage || current.type === filter.stage))) return false;
  if (!filter.q) return true;
  const q = filter.q.toUpperCase();
  return [summary.container_no, summary.bl_no, ...(summary.declaration_nos || [])]
    .some((value) => typeof value === "string" && value.toUpperCase().startsWith(q));
}

export function mountList(root, params) {
  let filter = normalise(params);
  let data = null; // {items, total, page, per_page}
  let error = null;
  let loading = false;
  let request = 0;
  const latest = new Map(); // container_no -> newest {version, visits} seen live
  const fresh = new Set(); // row keys that arrived live
  let changed = new Set(); // row keys the latest live update changed in place (flashed once)
  let active = true;

  const results = h("section", { class: "results" });
  const toolbar = h("form", { class: "toolbar", role: "search" });
  // Only the count is announced: reading the whole table out at each live change would be noise.
  fill(root, h("div", { class: "page-head" }, h("h1", {}, t("list.title")),
    h("p", { class: "total", role: "status", "aria-live": "polite" })), toolbar, results);

  function render() { // everything, in the current language
    if (!active) return;
    root.querySelector("h1").textContent = t("list.title");
    renderToolbar();
    renderResults();
  }

  function renderResults() { // the toolbar is left alone: live rows must not take the focus away
    if (!active) return; // a late answer must not draw over the page the user moved to
    root.querySelector(".total").textContent = data ? t("list.total", { n: data.total }) : "";
    results.setAttribute("aria-busy", String(loading));
    if (error) {
      fill(results, h("div", { class: "state error-state", role: "alert" }, t("list.error", { message: error }),
        " ", h("button", { type: "button", class: "secondary", onclick: load }, t("list.retry"))));
    } else if (!data) {
      fill(results, h("div", { class: "state loading-state" }, h("span", { class: "spinner" }), t("list.loading")));
    } else if (!data.items.length) {
      const filtered = filter.q || filter.stage || filter.direction;
      fill(results, h("div", { class: "state empty-state" }, t(filtered ? "list.emptyFiltered" : "list.empty")));
    } else {
      fill(results, h("div", { class: `table-wrap${loading ? " busy" : ""}` }, renderTable(data.items, fresh, changed)),
        renderPager(filter.page, PER_PAGE, data.total, (page) => navigate({ ...filter, page })));
    }
  }

  function renderToolbar() {
    const q = toolbar.querySelector("input");
    const typed = q && document.activeElement === q ? q.value : filter.q;
    fill(toolbar,
      h("div", { class: "field grow" }, h("label", { for: "filter-q" }, t("list.search")),
        h("input", { id: "filter-q", name: "q", type: "search", value: typed, maxlength: "41",
          autocomplete: "off", spellcheck: "false", "aria-describedby": "filter-q-error" })),
      h("div", { class: "field" }, h("label", { for: "filter-stage" }, t("list.stage")), stageSelect()),
      h("div", { class: "field" }, h("label", { for: "filter-direction" }, t("list.direction")), directionSelect()),
      h("div", { class: "field buttons" },
        h("button", { type: "submit" }, t("list.searchButton")),
        h("button", { type: "button", class: "secondary", onclick: () => navigate({ page: 1 }) }, t("list.clear"))),
      h("p", { id: "filter-q-error", class: "field-error", "aria-live": "polite" }));
  }

  function stageSelect() {
    const select = h("select", { id: "filter-stage", name: "stage", onchange: (e) =>
      navigate({ ...filter, stage: e.target.value, page: 1 }) },
    h("option", { value: "" }, t("list.anyStage")),
    h("optgroup", { label: t("list.stages") }, STAGES.map((s) => h("option", { value: s }, t(`stage.${s}`)))),
    h("optgroup", { label: t("list.types") }, STAGES.flatMap(typesOfStage).map((type) =>
      h("option", { value: type }, nameOf(EVENT_TYPES[type])))));
    select.value = filter.stage;
    return select;
  }

  function directionSelect() {
    const select = h("select", { id: "filter-direction", name: "direction", onchange: (e) =>
      navigate({ ...filter, direction: e.target.value, page: 1 }) },
    h("option", { value: "" }, t("list.anyDirection")),
    ["EXPORT", "IMPORT"].map((d) => h("option", { value: d }, t(`direction.${d}`))));
    select.value = filter.direction;
    return select;
  }

  toolbar.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = toolbar.querySelector("input");
    const q = input.value.trim();
    const bad = Boolean(q) && !QUERY.test(q);
    toolbar.querySelector(".field-error").textContent = bad ? t("list.badInput") : "";
    input.setAttribute("aria-invalid", String(bad));
    if (bad) return;
    navigate({ ...filter, q, page: 1 });
  });

  async function load() {
    const mine = ++request;
    loading = true;
    error = null;
    renderResults();
    try {
      const page = await listContainers({ ...filter, perPage: PER_PAGE });
      if (mine !== request) return;
      data = { ...page, items: page.items.map(newest) };
    } catch (failure) {
      if (mine === request) error = failure.message;
    } finally {
      if (mine === request) { loading = false; renderResults(); }
    }
  }

  /** A summary, or the one for the same visit from a newer version seen live meanwhile. */
  function newest(summary) {
    const seen = latest.get(summary.container_no);
    if (!seen || seen.version <= summary.version) return summary;
    return seen.visits.find((v) => v.visit === summary.visit) || summary;
  }

  function apply(update, addNew) {
    const seen = latest.get(update.container_no);
    if (seen && seen.version >= update.version) return;
    latest.set(update.container_no, update);
    if (!data) return;
    const before = data.items;
    data.items = data.items.map(newest);
    changed = new Set(data.items.filter((item, i) => item !== before[i]).map(rowKey));
    const shown = new Set(data.items.map(rowKey));
    const added = addNew ? update.visits.filter((v) => !shown.has(rowKey(v)) && matches(filter, v)) : [];
    if (added.length) {
      data.total += added.length;
      if (filter.page === 1) {
        added.forEach((v) => fresh.add(rowKey(v)));
        data.items = [...added, ...data.items].slice(0, PER_PAGE);
      }
    }
    renderResults();
  }

  const stop = watch({ scope: "mine" }, {
    update: (d) => { if (isScopeMessage(d) && Array.isArray(d.visits)) apply(d, true); },
    // A snapshot is the newest visits, not what changed: it refreshes rows, never adds any.
    snapshot: (d) => {
      if (!isScopeMessage(d)) return;
      const byContainer = new Map();
      for (const s of d.containers || []) {
        const entry = byContainer.get(s.container_no) || { container_no: s.container_no, version: s.version, visits: [] };
        entry.visits.push(s);
        byContainer.set(s.container_no, entry);
      }
      byContainer.forEach((update) => apply(update, false));
    },
    reconnected: () => load(), // the page may have changed while the connection was down
  });

  /** Apply filters now and record them in the address (pushState: no hashchange, Back still works). */
  function navigate(next) {
    const query = new URLSearchParams();
    for (const key of ["q", "stage", "direction"]) if (next[key]) query.set(key, next[key]);
    if (next.page > 1) query.set("page", String(next.page));
    window.history.pushState(null, "", `#/${query.toString() ? `?${query}` : ""}`);
    setFilter(normalise(query));
  }

  function setFilter(next) {
    if (JSON.stringify(next) === JSON.stringify(filter)) return;
    filter = next;
    fresh.clear();
    renderToolbar();
    load();
  }

  render();
  load();
  return {
    render,
    setParams: (params) => setFilter(normalise(params)), // Back / Forward, or a typed address
    unmount: () => { active = false; stop(); },
  };
}

function normalise(params) {
  const page = Number.parseInt(params.get("page") || "1", 10);
  return { q: params.get("q") || "", stage: params.get("stage") || "", direction: params.get("direction") || "",
    page: Number.isFinite(page) && page > 0 ? page : 1 };
}
