// The rows of "My containers": one per visit, and the pager under them.

import { alertBadges, directionBadge, stageBadge } from "./badges.js";
import { formatShortTime, h, timeElement } from "./dom.js";
import { t } from "./i18n.js";

const COLUMNS = ["container", "direction", "vessel", "bl", "stage", "alerts", "last"];

export function rowKey(summary) { return `${summary.container_no}|${summary.visit}`; }

export function containerHref(containerNo) { return `#/container/${encodeURIComponent(containerNo)}`; }

/** The table of summaries; `fresh` holds the keys of rows that arrived live (marked "new"), `changed`
 * those a live update just changed (flashed). */
export function renderTable(items, fresh, changed = new Set()) {
  return h("table", { class: "containers" },
    h("caption", { class: "visually-hidden" }, t("list.title")),
    h("thead", {}, h("tr", {}, COLUMNS.map((c) => h("th", { scope: "col" }, t(`col.${c}`))))),
    h("tbody", {}, items.map((item) => renderRow(item, fresh.has(rowKey(item)), changed.has(rowKey(item))))));
}

function cell(column, ...content) {
  return h("td", { class: `col-${column}`, "data-label": t(`col.${column}`) }, h("div", { class: "cell" }, ...content));
}

function renderRow(item, isFresh, isChanged) {
  const declarations = item.declaration_nos || [];
  const vessel = [item.vessel_imo && `IMO ${item.vessel_imo}`, item.terminal].filter(Boolean).join(" · ");
  return h("tr", {
    class: `row${isFresh ? " fresh" : ""}${isChanged ? " changed" : ""}${item.holds > 0 ? " on-hold" : ""}`,
    dataset: { container: item.container_no, visit: item.visit, version: String(item.version) },
    onclick: (event) => {
      if (event.target.closest("a")) return;
      window.location.hash = containerHref(item.container_no);
    },
  },
  cell("container", h("a", { href: containerHref(item.container_no), class: "container-no" }, item.container_no),
    isFresh ? h("span", { class: "badge new" }, t("list.new")) : null),
  cell("direction", directionBadge(item.direction)),
  cell("vessel", h("span", { class: "main-line" }, item.voyage || "—"), h("span", { class: "sub-line" }, vessel)),
  cell("bl", h("span", { class: "main-line" }, item.bl_no || "—"),
    h("span", { class: "sub-line" }, declarations[0] || "",
      declarations.length > 1 ? ` +${declarations.length - 1}` : "")),
  cell("stage", stageBadge(item.current, true)),
  cell("alerts", h("div", { class: "alerts" },
    alertBadges({ holds: item.holds, flags: item.flags, abnormal: item.abnormal_inspection }))),
  cell("last", item.last_event_at ? timeElement(item.last_event_at, {}, formatShortTime) : "—"));
}

/** Previous / next buttons and "page x of y"; nothing when everything fits on one page. */
export function renderPager(page, perPage, total, goTo) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return null;
  return h("nav", { class: "pager", "aria-label": t("list.page", { page, pages }) },
    h("button", { type: "button", class: "secondary", disabled: page <= 1, onclick: () => goTo(page - 1) },
      t("list.prev")),
    h("span", { class: "pager-position" }, t("list.page", { page, pages })),
    h("button", { type: "button", class: "secondary", disabled: page >= pages, onclick: () => goTo(page + 1) },
      t("list.next")));
}
