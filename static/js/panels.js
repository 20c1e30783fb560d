// A side panel of the workspace: a title, a refresh button, and content loaded from the API, reloaded
// every `every` ms while the page is open.

import { fill, h } from "./dom.js";
import { t } from "./i18n.js";

export function mountPanel(root, { id, titleKey, helpKey, load, draw, every = 30000 }) {
  let data = null;
  let error = null;
  let active = true;
  const body = h("div", { class: "panel-body" });
  const panel = h("section", { class: "panel", id, "aria-labelledby": `${id}-title` });

  function render() {
    if (!active) return;
    fill(panel, h("header", { class: "panel-head" },
      h("h2", { id: `${id}-title` }, t(titleKey)),
      h("button", { type: "button", class: "secondary small", onclick: reload }, t("panel.refresh"))),
    helpKey ? h("p", { class: "panel-help" }, t(helpKey)) : null, body);
    if (error) fill(body, h("p", { class: "result bad" }, t("panel.error", { message: error })));
    else if (!data) fill(body, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("list.loading")));
    else fill(body, draw(data));
  }

  async function reload() {
    try { data = await load(); error = null; } catch (failure) { error = failure.message; }
    render();
  }

  const timer = setInterval(reload, every);
  render();
  reload();
  root.appendChild(panel);
  return { render, reload, unmount: () => { active = false; clearInterval(timer); } };
}
