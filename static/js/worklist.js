// The work list panel: the yard's boxes waiting on a step, the longest wait first, each with a button
// that opens the form on the event that ends the wait.

import { getWorklist } from "./api.js";
import { h, humanDuration, timeElement } from "./dom.js";
import { nameOf, t } from "./i18n.js";
import { mountPanel } from "./panels.js";
import { EVENT_TYPES } from "./vocabulary.js";

export function mountWorklist(root, { onPick }) {
  return mountPanel(root, { id: "worklist", titleKey: "work.title", helpKey: "work.help", load: getWorklist,
    draw: (data) => (data.items.length ? h("ol", { class: "work-items" }, data.items.map((item) => workItem(item, onPick)))
      : h("p", { class: "muted empty" }, t("work.empty"))) });
}

function workItem(item, onPick) {
  const next = nameOf(EVENT_TYPES[item.next_type]);
  return h("li", { class: `work-item level-${item.level}`, dataset: { container: item.container_no, step: item.step } },
    h("div", { class: "work-main" },
      h("a", { class: "container-no", href: `#/container/${encodeURIComponent(item.container_no)}` }, item.container_no),
      h("span", { class: `badge level ${item.level}` }, t(`work.level.${item.level}`)),
      item.holds ? h("span", { class: "badge alert-hold" }, t("work.holds")) : null),
    h("div", { class: "work-step" }, t(`work.step.${item.step}`)),
    h("div", { class: "work-meta" },
      h("span", { class: "waited" }, t("work.waited", { d: humanDuration(item.waited_seconds) })),
      h("span", {}, [item.voyage, item.terminal].filter(Boolean).join(" · ")),
      timeElement(item.since, { class: "since" })),
    h("button", { type: "button", class: "secondary small work-publish",
      onclick: () => onPick({ container_no: item.container_no, type: item.next_type }) }, t("work.publish", { type: next })));
}
