// The dashboard's live list of overdue alerts: the open ones from GET /api/v1/alerts, kept live by the
// {"scope": "alerts"} subscription (the highest version of an alert wins). The port office and the
// terminal of an alert's visit acknowledge it, giving a reason in a dialog.

import { getSession } from "./api.js";
import { formatShortTime, h, fill, humanDuration, timeElement } from "./dom.js";
import { labelKey, t } from "./i18n.js";
import { containerHref } from "./listtable.js";
import { watch } from "./live.js";
import { acknowledgeAlert, getAlerts } from "./statsapi.js";

const SHOWN = 50;

/** The alerts panel: `{node, load(), render(), unmount()}`. */
export function mountAlerts() {
  const node = h("section", { class: "panel alerts-panel", dataset: { panel: "alerts" } });
  const alerts = new Map(); // id -> newest alert view
  let hidden = 0; // open alerts beyond the first page, not loaded
  let loaded = false;
  let error = null;
  let role = null;
  let terminal = null;
  let active = true;

  function apply(view) {
    if (!view || view.id === undefined) return false;
    const seen = alerts.get(view.id);
    if (seen && seen.version >= view.version) return false;
    alerts.set(view.id, view);
    return true;
  }

  function openCount() {
    return [...alerts.values()].filter((a) => a.state === "OPEN").length + hidden;
  }

  function shown() {
    // newest raised first, as the API lists them: an alert raised while the page is open comes on top
    return [...alerts.values()].filter((a) => a.state !== "CLEARED")
      .sort((a, b) => (a.raised_at === b.raised_at ? b.id - a.id : a.raised_at < b.raised_at ? 1 : -1));
  }

  function mayAcknowledge(view) {
    return view.state === "OPEN" && (role === "port-office" || (role === "terminal" && terminal === view.terminal));
  }

  function row(view) {
    const overdue = Math.max(60, Math.floor((Date.now() - Date.parse(view.due_at)) / 60000) * 60); // whole minutes
    return h("tr", { class: `alert-row tier-${view.tier.toLowerCase()} state-${view.state.toLowerCase()}`,
      dataset: { alert: String(view.id), container: view.container_no } },
    h("td", {}, h("a", { class: "container-no", href: containerHref(view.container_no) }, view.container_no),
      h("span", { class: "sub-line" }, [t(`direction.${view.direction}`), view.terminal].filter(Boolean).join(" · "))),
    h("td", {}, view[`step_${labelKey()}`] || view.step),
    h("td", {}, h("span", { class: `badge tier tier-${view.tier.toLowerCase()}` }, t(`tier.${view.tier}`))),
    h("td", { class: "num" }, humanDuration(overdue)),
    h("td", { class: "col-last" }, timeElement(view.started_at, {}, formatShortTime)),
    h("td", {}, view.state === "ACKNOWLEDGED"
      ? h("span", { class: "acknowledged" }, t("alerts.acknowledged", { reason: view.acknowledge_reason || "" }))
      : mayAcknowledge(view) ? h("button", { type: "button", class: "secondary small acknowledge",
        onclick: () => askReason(view) }, t("alerts.acknowledge")) : null));
  }

  function render() {
    if (!active) return;
    const list = shown();
    const total = openCount();
    const head = h("header", { class: "panel-head" }, h("h2", {}, t("alerts.title")),
      h("span", { class: "badge count", dataset: { open: String(total) } }, String(total)));
    if (error) return fill(node, head, h("div", { class: "panel-state error" }, t("dash.error", { message: error })));
    if (!loaded) {
      return fill(node, head, h("div", { class: "panel-state loading" }, h("span", { class: "spinner" }), t("dash.loading")));
    }
    if (!list.length) return fill(node, head, h("div", { class: "panel-state empty" }, t("alerts.empty")));
    return fill(node, head, h("div", { class: "table-scroll" }, h("table", { class: "data-table alerts-table" },
      h("thead", {}, h("tr", {}, ["container", "step", "tier", "overdue", "since", "action"].map((c) =>
        h("th", { scope: "col" }, t(`alerts.${c}`))))),
      h("tbody", {}, list.slice(0, SHOWN).map(row)))),
    list.length > SHOWN || hidden
      ? h("p", { class: "panel-note" }, t("alerts.more", { n: Math.max(0, list.length - SHOWN) + hidden })) : null);
  }

  function askReason(view) {
    const reason = h("textarea", { id: "ack-reason", name: "reason", required: true, maxlength: "500", rows: "3" });
    const problem = h("p", { class: "field-error", role: "alert" });
    const dialog = h("dialog", { class: "reason-dialog", "aria-labelledby": "ack-title" },
      h("form", { method: "dialog" },
        h("h2", { id: "ack-title" }, t("alerts.reasonTitle", { no: view.container_no })),
        h("p", { class: "panel-note" }, view[`step_${labelKey()}`] || view.step),
        h("label", { for: "ack-reason" }, t("alerts.reasonLabel")), reason, problem,
        h("div", { class: "buttons" },
          h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, t("alerts.cancel")),
          h("button", { type: "submit", value: "ok" }, t("alerts.reasonSubmit")))));
    dialog.querySelector("form").addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!reason.value.trim()) { reason.focus(); return; }
      try {
        if (apply(await acknowledgeAlert(view.id, reason.value.trim()))) render();
        dialog.close();
      } catch (failure) {
        problem.textContent = t("alerts.failed", { message: failure.message });
      }
    });
    dialog.addEventListener("close", () => dialog.remove());
    document.body.appendChild(dialog);
    dialog.showModal();
    reason.focus();
  }

  async function load() {
    loaded = false;
    error = null;
    render();
    try {
      const [page, session] = await Promise.all([getAlerts({ state: "open", per_page: 100 }), getSession()]);
      role = session.role;
      terminal = session.terminal;
      hidden = Math.max(0, page.total - page.items.length);
      page.items.forEach(apply);
    } catch (failure) {
      error = failure.message;
    }
    loaded = true;
    render();
  }

  const stop = watch({ scope: "alerts" }, {
    update: (d) => { if (d && d.scope === "alerts" && apply(d.alert || d)) render(); },
    snapshot: (d) => {
      if (!d || d.scope !== "alerts") return;
      const listed = new Set((d.alerts || []).map((a) => a.id));
      let changed = false;
      if (d.total <= listed.size) { // the whole standing list: what is not in it was cleared meanwhile
        for (const id of [...alerts.keys()]) if (!listed.has(id)) { alerts.delete(id); changed = true; }
        hidden = 0;
      }
      for (const view of d.alerts || []) changed = apply(view) || changed;
      if (changed) render();
    },
  });
  const ticker = setInterval(render, 60_000); // "overdue by" goes on growing

  return { node, load, render, unmount: () => { active = false; stop(); clearInterval(ticker); } };
}
