// One yard event from the form: the container checked as typed (ISO 6346, with the check digit
// suggested), the other fields filled in from its current visit, and the API's verdict shown next to
// each field it names. What the API refuses is never published; a dry run keeps the errors current.

import { getContainer, postEvents, suggestContainers } from "./api.js";
import { fill, h } from "./dom.js";
import { reasonsByField } from "./fielderrors.js";
import { nameOf, t } from "./i18n.js";
import { containerProblem } from "./iso6346.js";
import { shanghaiLocal, withShanghaiOffset } from "./shanghai.js";
import { EVENT_TYPES } from "./vocabulary.js";

export const YARD_TYPES = ["GATE_IN", "ARRIVAL_REPORTED", "DISCHARGED", "REPOSITION_STARTED", "REPOSITIONED",
  "LOADED", "GATE_OUT"];
const DETAILS = { GATE_IN: ["gate", "truck_plate", "seal_no"], ARRIVAL_REPORTED: ["remark"],
  DISCHARGED: ["crane", "yard_slot"], REPOSITION_STARTED: ["to"], REPOSITIONED: ["location"],
  LOADED: ["crane", "bay_plan"], GATE_OUT: ["gate", "truck_plate", "pickup_appointment"] };
const ABBR = { GATE_IN: "GTIN", ARRIVAL_REPORTED: "ARRV", DISCHARGED: "DISC", REPOSITION_STARTED: "MOVE",
  REPOSITIONED: "INPL", LOADED: "LOAD", GATE_OUT: "GTOT" };
const TEXT_FIELDS = [["vessel_imo", "pub.vessel"], ["voyage", "pub.voyage"], ["enterprise_uscc", "pub.uscc"],
  ["bl_no", "pub.bl"], ["declaration_no", "pub.declaration"]];
const FIELDS = ["container_no", "type", "occurred_at", "direction", "vessel_imo", "voyage", "enterprise_uscc",
  "bl_no", "declaration_no", "detail", "publisher", "terminal", "source"];

/** `publisher()` gives the terminal the event is published as ("" when the port office chose none). */
export function mountPublishForm(root, { publisher, onPublished }) {
  const values = { container_no: "", type: "GATE_IN", occurred_at: shanghaiLocal(), direction: "EXPORT",
    vessel_imo: "", voyage: "", enterprise_uscc: "", bl_no: "", declaration_no: "", detail: {} };
  const touched = new Set();
  let errors = {};
  let note = null; // {key, params} about the prefill
  let result = null; // {ok, text, containerNo}
  let eventId = null;
  let checking = false; // after a refusal, every change is checked again (dry run)
  let timer = null;
  const form = h("form", { class: "publish-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); submit(); } });

  function render() {
    const focused = form.contains(window.document.activeElement) ? window.document.activeElement.id : "";
    fill(form,
      field("container_no", "pub.container", input("container_no", { maxlength: "11", list: "pub-suggestions",
        autocomplete: "off", spellcheck: "false", class: "mono" }), containerHint()),
      h("datalist", { id: "pub-suggestions" }),
      h("div", { class: "form-row" },
        field("type", "pub.type", select("type", YARD_TYPES.map((type) => [type, nameOf(EVENT_TYPES[type])]))),
        field("direction", "pub.direction", select("direction", ["EXPORT", "IMPORT"].map((d) => [d, t(`direction.${d}`)]))),
        field("occurred_at", "pub.time", h("div", { class: "with-button" },
          input("occurred_at", { type: "datetime-local", step: "1" }),
          h("button", { type: "button", class: "secondary small", onclick: () => set("occurred_at", shanghaiLocal(), true) },
            t("pub.now"))))),
      note ? h("p", { class: "prefill-note", id: "pub-prefill" }, t(note.key, note.params)) : null,
      h("div", { class: "form-row" }, TEXT_FIELDS.map(([name, key]) =>
        field(name, key, input(name, { maxlength: "41", spellcheck: "false", autocomplete: "off" })))),
      h("fieldset", { class: "details" }, h("legend", {}, t("pub.details")),
        h("div", { class: "form-row" }, (DETAILS[values.type] || []).map((key) => detailField(key))),
        fieldError("detail")),
      fieldError(""),
      h("div", { class: "form-actions" },
        h("button", { type: "submit", id: "pub-submit" }, t("pub.submit")),
        result ? h("p", { class: `result ${result.ok ? "ok" : "bad"}`, id: "pub-result", role: "status" }, result.text,
          result.containerNo ? [" ", h("a", { href: `#/container/${encodeURIComponent(result.containerNo)}` },
            t("pub.viewContainer"))] : null) : null));
    if (focused && form.querySelector(`#${focused}`)) form.querySelector(`#${focused}`).focus();
  }

  function field(name, labelKey, control, hint = null) {
    return h("div", { class: `field ${name === "container_no" ? "grow" : ""}`, dataset: { field: name } },
      h("label", { for: `pub-${name}` }, t(labelKey)), control, hint, fieldError(name));
  }

  function fieldError(name) {
    const messages = errors[name] || [];
    return h("p", { class: "field-error", id: `err-${name || "form"}`, "aria-live": "polite" }, messages.join("; "));
  }

  function input(name, props) {
    return h("input", { id: `pub-${name}`, name, value: values[name], "aria-invalid": String(Boolean(errors[name])),
      "aria-describedby": `err-${name}`, oninput: (e) => set(name, e.target.value, true), ...props });
  }

  function select(name, options) {
    const node = h("select", { id: `pub-${name}`, name, onchange: (e) => { set(name, e.target.value, true); render(); } },
      options.map(([value, label]) => h("option", { value }, label)));
    node.value = values[name];
    return node;
  }

  function detailField(key) {
    return h("div", { class: "field" }, h("label", { for: `pub-detail-${key}` }, t(`pub.detail.${key}`)),
      h("input", { id: `pub-detail-${key}`, value: values.detail[key] || "", maxlength: "120",
        oninput: (e) => { values.detail[key] = e.target.value; changed(); } }));
  }

  function containerHint() {
    const value = values.container_no;
    const found = value ? containerProblem(value) : undefined;
    let content = t("pub.containerHint");
    let state = "";
    if (found === null) { content = t("pub.containerOk"); state = "ok"; }
    else if (found && found.problem === "check" && value.length >= 10) {
      state = "bad";
      content = [t("pub.containerCheck", found), " ", h("button", { type: "button", class: "link", id: "pub-use-suggestion",
        onclick: () => { set("container_no", found.suggestion, true); render(); prefill(); } },
      t("pub.useSuggestion", found))];
    } else if (found && value.length >= 4 && !/^[A-Za-z]{0,3}$/.test(value)) { state = "bad"; content = t("pub.containerForm"); }
    return h("p", { class: `hint ${state}`, id: "pub-container-hint" }, content);
  }

  function set(name, value, byPerson) {
    values[name] = name === "container_no" ? value.trim().toUpperCase() : value;
    if (byPerson) touched.add(name);
    if (name === "container_no") {
      const node = form.querySelector("#pub-container-hint");
      if (node) node.replaceWith(containerHint());
      form.querySelector("#pub-container_no").value = values.container_no;
      if (containerProblem(values.container_no) === null) prefill(); else suggest();
    } else if (name === "occurred_at") form.querySelector("#pub-occurred_at").value = value;
    changed();
  }

  function changed() {
    eventId = null; // a different event from here on
    if (!checking) return;
    clearTimeout(timer);
    timer = setTimeout(() => send(true), 400);
  }

  async function suggest() {
    const q = values.container_no;
    if (q.length < 4 || q.length > 10) return;
    try {
      const page = await suggestContainers(q);
      const list = form.querySelector("#pub-suggestions");
      if (list && q === values.container_no) {
        fill(list, [...new Set(page.items.map((i) => i.container_no))].map((no) => h("option", { value: no })));
      }
    } catch { /* suggestions are a convenience */ }
  }

  async function prefill() {
    const containerNo = values.container_no;
    let view = null;
    try { view = await getContainer(containerNo); } catch { view = null; }
    if (containerNo !== values.container_no) return;
    const visit = view && [...view.visits].sort((a, b) => String(a.last_event_at || "").localeCompare(String(b.last_event_at || ""))).pop();
    if (!visit) { note = { key: "pub.newVisit", params: {} }; render(); return; }
    const known = { direction: visit.direction, vessel_imo: visit.vessel_imo, voyage: visit.voyage, bl_no: visit.bl_no,
      enterprise_uscc: visit.enterprise_uscc, declaration_no: (visit.declaration_nos || [])[0] };
    for (const [name, value] of Object.entries(known)) if (value && !touched.has(name)) values[name] = value;
    note = { key: "pub.prefilled", params: { visit: visit.visit, current: visit.current ? nameOf(visit.current) : "—" } };
    render();
  }

  /** Fill the form from the work list: a container and the step it waits on. */
  function start({ container_no: containerNo, type }) {
    touched.clear();
    Object.assign(values, { vessel_imo: "", voyage: "", enterprise_uscc: "", bl_no: "", declaration_no: "", detail: {} });
    values.type = type || values.type;
    values.occurred_at = shanghaiLocal();
    errors = {};
    result = null;
    set("container_no", containerNo, false);
    render();
  }

  function document() {
    const code = publisher();
    if (!eventId) eventId = `${code || "X"}-${ABBR[values.type]}-${values.occurred_at.replace(/\D/g, "").slice(0, 14)}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
    const event = { schema_version: 1, event_id: eventId, source: "TERMINAL", publisher: code, terminal: code,
      type: values.type, occurred_at: withShanghaiOffset(values.occurred_at), direction: values.direction,
      container_no: values.container_no };
    for (const [name] of TEXT_FIELDS) if (values[name].trim()) event[name] = values[name].trim();
    const detail = Object.fromEntries(Object.entries(values.detail).filter(([k, v]) => v.trim() && (DETAILS[values.type] || []).includes(k)));
    if (Object.keys(detail).length) event.detail = detail;
    return event;
  }

  async function send(dryRun) {
    if (!publisher()) { errors = { "": [t("pub.chooseTerminal")] }; render(); return; }
    const event = document();
    const button = form.querySelector("#pub-submit");
    if (!dryRun) { button.disabled = true; button.textContent = t("pub.sending"); }
    try {
      const { body } = await postEvents(event, { dryRun });
      const refused = (body.rejected[0] || {}).reasons;
      errors = refused ? reasonsByField(refused, FIELDS) : {};
      if (dryRun) { render(); return; }
      checking = Boolean(refused);
      result = refused ? { ok: false, text: t("pub.refused") }
        : { ok: true, text: t("pub.published", { type: nameOf(EVENT_TYPES[event.type]), id: event.event_id }), containerNo: event.container_no };
      if (!refused) { eventId = null; onPublished(event); }
    } catch (failure) {
      if (!dryRun) result = { ok: false, text: t("pub.failed", { message: failure.message }) };
    }
    render();
  }

  function submit() { clearTimeout(timer); send(false); }

  render();
  root.appendChild(form);
  return { render, start, unmount: () => clearTimeout(timer) };
}
