// Batch upload: a CSV or XLSX of many operations. The file is first sent as a dry run, so the preview
// is exactly the API's verdict (each row's reasons); then the same file is published and only its good
// rows go out. Templates come from GET /api/v1/events/template.

import { postEvents } from "./api.js";
import { fill, h } from "./dom.js";
import { nameOf, t } from "./i18n.js";
import { formatTime } from "./dom.js";
import { EVENT_TYPES } from "./vocabulary.js";

export function mountBatch(root, { publisher, onPublished }) {
  let file = null;
  let preview = null; // the dry run's body
  let published = null; // the real answer's body
  let busy = false;
  let error = null;
  const node = h("section", { class: "batch" });

  function render() {
    fill(node,
      h("p", { class: "muted" }, t("batch.intro")),
      h("div", { class: "batch-tools" },
        h("label", { class: "file-button" }, h("span", {}, t("batch.file")),
          h("input", { type: "file", id: "batch-file", accept: ".csv,.xlsx,text/csv", onchange: (e) => choose(e.target.files[0]) })),
        file ? h("span", { class: "file-name" }, file.name) : null,
        h("span", { class: "template-links" }, t("batch.template"), ": ",
          h("a", { href: "/api/v1/events/template?format=csv", download: "", id: "batch-template-csv" }, "CSV"), " · ",
          h("a", { href: "/api/v1/events/template?format=xlsx", download: "", id: "batch-template-xlsx" }, "XLSX"))),
      error ? h("p", { class: "result bad", role: "alert", id: "batch-error" }, error) : null,
      busy ? h("p", { class: "muted" }, h("span", { class: "spinner" }), t("batch.checking")) : null,
      preview ? summary() : null,
      preview ? table() : null);
  }

  function summary() {
    const rows = preview.rows || [];
    const bad = preview.rejected.length;
    const good = rows.length - bad;
    const done = published ? t("batch.done", { n: published.accepted.length, bad: published.rejected.length }) : null;
    return h("div", { class: "batch-summary" },
      h("p", { id: "batch-summary", role: "status" }, t("batch.summary", { n: rows.length, good, bad })),
      done ? h("p", { class: "result ok", id: "batch-done" }, done)
        : good ? h("button", { type: "button", id: "batch-publish", disabled: busy, onclick: publish }, t("batch.publish", { n: good }))
          : h("p", { class: "result bad" }, t("batch.none")));
  }

  function table() {
    const reasons = new Map(preview.rejected.map((r) => [r.index, r.reasons]));
    const sent = new Set(published ? published.accepted : []);
    return h("div", { class: "table-wrap" }, h("table", { class: "containers batch-rows" },
      h("thead", {}, h("tr", {}, ["batch.row", "batch.status", "pub.type", "pub.container", "pub.time", "batch.reasons"]
        .map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, (preview.rows || []).map((row) => {
        const refused = reasons.get(row.index);
        const event = row.event || row.document || {};
        const status = refused ? "error" : sent.has(event.event_id) ? "sent" : "ok";
        return h("tr", { class: `row-${status}`, dataset: { index: String(row.index) } },
          h("td", { class: "mono" }, String(row.index + 2)),
          h("td", {}, h("span", { class: `badge batch-${status}` }, t(`batch.${status}`))),
          h("td", {}, EVENT_TYPES[event.type] ? nameOf(EVENT_TYPES[event.type]) : String(event.type ?? "")),
          h("td", { class: "mono" }, String(event.container_no ?? "")),
          h("td", { class: "nowrap" }, event.occurred_at ? formatTime(event.occurred_at) : ""),
          h("td", { class: "reasons" }, refused ? h("ul", {}, refused.map((r) => h("li", {}, r))) : ""));
      }))));
  }

  async function choose(chosen) {
    file = chosen || null;
    preview = published = error = null;
    if (!file) { render(); return; }
    if (!publisher()) { error = t("pub.chooseTerminal"); render(); return; }
    busy = true;
    render();
    try {
      preview = (await postEvents(file, { dryRun: true, terminal: publisher() })).body;
      if (!preview.rows) { error = preview.message; preview = null; }
    } catch (failure) {
      error = t("pub.failed", { message: failure.message });
    }
    busy = false;
    render();
  }

  async function publish() {
    busy = true;
    render();
    try {
      const { body } = await postEvents(file, { terminal: publisher() });
      published = body;
      preview = { ...preview, rejected: body.rejected, rows: body.rows || preview.rows };
      onPublished();
    } catch (failure) {
      error = t("pub.failed", { message: failure.message });
    }
    busy = false;
    render();
  }

  render();
  root.appendChild(node);
  return { render };
}
