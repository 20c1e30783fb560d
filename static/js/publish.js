// The terminal workspace (#/publish): publish one yard event or a batch, the yard's work list, the
// feed's health and the latest publishes (the audit). A terminal publishes as itself; the port office
// chooses the terminal it publishes for.

import "./workwords.js";
import { getFeeds, getRecentPublishes, getSession } from "./api.js";
import { mountBatch } from "./batch.js";
import { fill, h, timeElement } from "./dom.js";
import { mountFeeds } from "./feeds.js";
import { nameOf, t } from "./i18n.js";
import { mountPanel } from "./panels.js";
import { mountPublishForm } from "./publishform.js";
import { EVENT_TYPES } from "./vocabulary.js";
import { mountWorklist } from "./worklist.js";

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,15}$/;

export function mountPublish(root) {
  let session = null;
  let tab = "single";
  let chosen = ""; // the port office's terminal
  let active = true;
  const parts = [];
  const head = h("div", { class: "page-head" });
  const forWhom = h("div", { class: "for-terminal" });
  const tabs = h("div", { class: "tabs", role: "tablist" });
  const single = h("div", { class: "tab-panel", id: "tab-single", role: "tabpanel" });
  const batch = h("div", { class: "tab-panel", id: "tab-batch", role: "tabpanel", hidden: true });
  const aside = h("aside", { class: "workspace-side" });
  fill(root, head, h("div", { class: "workspace" }, h("section", { class: "workspace-main card" }, forWhom, tabs, single, batch), aside));

  const publisher = () => (session && session.role === "terminal" ? session.terminal : chosen);

  function render() {
    if (!active) return;
    document.title = `${t("pub.title")} · ${t("app.title")}`;
    fill(head, h("h1", {}, t("pub.title")), h("p", { class: "total" }, t("pub.subtitle")));
    renderForWhom();
    fill(tabs, ["single", "batch"].map((name) => h("button", { type: "button", role: "tab", id: `tab-button-${name}`,
      class: `tab${tab === name ? " active" : ""}`, "aria-selected": String(tab === name),
      onclick: () => { tab = name; single.hidden = tab !== "single"; batch.hidden = tab !== "batch"; render(); } },
    t(`pub.${name}`))));
    parts.forEach((part) => part.render());
  }

  function renderForWhom() {
    if (!session) return;
    if (session.role === "terminal") {
      fill(forWhom, h("span", { class: "badge terminal-badge", id: "pub-as" }, t("pub.asTerminal", { code: session.terminal })));
      return;
    }
    const typed = forWhom.querySelector("input");
    fill(forWhom, h("div", { class: "field" }, h("label", { for: "pub-for-terminal" }, t("pub.forTerminal")),
      h("input", { id: "pub-for-terminal", list: "pub-terminals", value: typed ? typed.value : chosen, maxlength: "16",
        autocomplete: "off", placeholder: "YTCT", oninput: (e) => { chosen = CODE.test(e.target.value.trim()) ? e.target.value.trim() : ""; } }),
      h("datalist", { id: "pub-terminals" }), h("p", { class: "hint" }, t("pub.forTerminalHelp"))));
    getFeeds().then((feeds) => {
      const list = forWhom.querySelector("#pub-terminals");
      if (list) fill(list, feeds.publishers.filter((p) => p.source === "TERMINAL").map((p) => h("option", { value: p.publisher })));
    }).catch(() => {});
  }

  function published() { parts.forEach((part) => part.reload && part.reload()); }

  getSession().then((who) => {
    if (!active) return;
    session = who;
    const form = mountPublishForm(single, { publisher, onPublished: published });
    parts.push(form, mountBatch(batch, { publisher, onPublished: published }));
    if (who.role !== "enterprise") {
      parts.push(mountWorklist(aside, { onPick: (pick) => {
        tab = "single"; single.hidden = false; batch.hidden = true; render(); form.start(pick);
        single.querySelector("#pub-container_no").focus(); } }));
    }
    parts.push(mountFeeds(aside), mountRecent(aside));
    render();
  }).catch(() => {});

  render();
  return { render, unmount: () => { active = false; parts.forEach((part) => part.unmount && part.unmount()); } };
}

function mountRecent(root) {
  return mountPanel(root, { id: "recent", titleKey: "recent.title", load: getRecentPublishes, every: 60000,
    draw: (data) => (data.items.length ? h("ul", { class: "recent" }, data.items.slice(0, 12).map((item) =>
      h("li", { class: `recent-item ${item.outcome}` },
        h("div", {}, h("span", { class: `badge ${item.outcome === "accepted" ? "batch-ok" : "batch-error"}` }, t(`recent.${item.outcome}`)),
          " ", h("span", { class: "mono" }, item.container_no || ""), " ",
          item.type && EVENT_TYPES[item.type] ? nameOf(EVENT_TYPES[item.type]) : item.type || ""),
        h("div", { class: "work-meta" }, timeElement(item.at), h("span", { class: "mono" }, item.event_id || ""),
          h("span", {}, `${item.channel} · ${item.user.split(":").pop()}`)),
        item.reasons.length ? h("p", { class: "reasons" }, item.reasons.join("; ")) : null)))
      : h("p", { class: "muted empty" }, t("recent.empty"))) });
}
