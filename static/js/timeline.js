// One visit of a container: who and where, where it stands, holds and flags, and its timeline with
// the milestones still to come greyed at the end.

import { directionBadge, stageBadge, stageClass } from "./badges.js";
import { asText, h, humanDuration, timeElement } from "./dom.js";
import { nameOf, t } from "./i18n.js";
import { typeLabel } from "./vocabulary.js";

/** `fresh` holds the event ids that arrived live since the page opened (briefly highlighted). */
export function renderVisit(visit, fresh) {
  const title = [visit.vessel_imo && `IMO ${visit.vessel_imo}`, visit.voyage].filter(Boolean).join(" · ");
  return h("article", { class: "visit", dataset: { visit: visit.visit } },
    h("header", { class: "visit-head" },
      h("div", { class: "visit-title" }, directionBadge(visit.direction), h("h2", {}, title || visit.visit)),
      facts(visit)),
    status(visit),
    holds(visit.holds || []),
    visit.abnormal_inspection ? h("p", { class: "banner banner-abnormal", role: "status" }, t("visit.abnormal")) : null,
    flags(visit.flags || []),
    h("section", { class: "timeline-section" },
      h("div", { class: "timeline-head" }, h("h3", {}, t("timeline.title")),
        h("p", { class: "zone" }, t("timeline.zone"))),
      h("ol", { class: "timeline" },
        (visit.timeline || []).map((entry) => timelineEntry(entry, fresh.has(entry.event_id))),
        (visit.pending || []).map((type, index) => pendingEntry(type, index === 0)))));
}

function facts(visit) {
  const rows = [["visit.vessel", visit.vessel_imo], ["visit.voyage", visit.voyage],
    ["visit.terminal", visit.terminal], ["visit.bl", visit.bl_no],
    ["visit.declarations", (visit.declaration_nos || []).join(", ")],
    ["visit.enterprise", visit.enterprise_uscc], ["visit.declarant", visit.declarant_uscc]];
  return h("dl", { class: "facts" }, rows.filter(([, value]) => value).map(([key, value]) =>
    h("div", { class: "fact" }, h("dt", {}, t(key)), h("dd", {}, value))));
}

function status(visit) {
  return h("div", { class: "visit-status" },
    h("div", { class: "status-item" }, h("span", { class: "status-label" }, t("visit.current")),
      stageBadge(visit.current),
      visit.current ? timeElement(visit.current.occurred_at, { class: "status-time" }) : null),
    h("div", { class: `status-item next${visit.next ? "" : " done"}` },
      h("span", { class: "status-label" }, t("visit.next")),
      visit.next ? h("strong", { class: "next-name" }, "→ ", nameOf(visit.next)) : h("span", {}, t("visit.done"))));
}

function holds(active) {
  if (!active.length) return null;
  return h("div", { class: "banner banner-hold", role: "alert" },
    h("strong", {}, t("visit.holds")),
    h("ul", {}, active.map((hold) => h("li", {},
      h("strong", {}, nameOf(hold)),
      hold.customs_code ? ` (${t("timeline.code")} ${hold.customs_code})` : "",
      ` · ${t("visit.since")} `, timeElement(hold.occurred_at),
      hold.detail && hold.detail.hold ? h("span", { class: "hold-what" }, ` · ${asText(hold.detail.hold)}`) : null))));
}

function flags(list) {
  if (!list.length) return null;
  return h("div", { class: "banner banner-flags" },
    h("strong", {}, t("visit.flags")),
    h("ul", {}, list.map((flag) => h("li", {},
      h("span", { class: "flag-code" }, t(`flag.${flag.code}`)), " ", asText(flag.message)))));
}

function timelineEntry(entry, isFresh) {
  const abnormal = entry.type === "INSPECTION_COMPLETED" && entry.detail && entry.detail.result === "ABNORMAL";
  const classes = ["entry", stageClass(entry), entry.type === "HOLD_PLACED" ? "hold" : "",
    abnormal ? "abnormal" : "", entry.classifier && entry.classifier !== "ACTUAL" ? "planned" : "",
    isFresh ? "fresh" : ""].filter(Boolean).join(" ");
  return h("li", { class: classes, dataset: { type: entry.type, eventId: entry.event_id } },
    h("span", { class: "dot", "aria-hidden": "true" }),
    h("div", { class: "entry-body" },
      h("div", { class: "entry-head" },
        h("span", { class: "entry-name" }, nameOf(entry)),
        entry.classifier && entry.classifier !== "ACTUAL"
          ? h("span", { class: "tag" }, t(`classifier.${entry.classifier}`)) : null,
        entry.customs_code ? h("span", { class: "tag code", title: t("timeline.code") },
          `${t("timeline.code")} ${entry.customs_code}`) : null,
        isFresh ? h("span", { class: "badge new" }, t("timeline.new")) : null),
      h("div", { class: "entry-meta" },
        timeElement(entry.occurred_at, { class: "entry-time" }),
        took(entry),
        h("span", { class: "entry-source" }, `${t("timeline.source")}: `,
          t(`source.${entry.source}`), " · ", entry.publisher)),
      detail(entry.detail)));
}

function took(entry) {
  if (entry.classifier && entry.classifier !== "ACTUAL") return null;
  const seconds = entry.took_seconds;
  const text = seconds === null || seconds === undefined ? t("timeline.first")
    : seconds <= 0 ? t("timeline.same") : t("timeline.took", { d: humanDuration(seconds) });
  return h("span", { class: "entry-took" }, text);
}

function detail(values) {
  const keys = values && typeof values === "object" ? Object.keys(values) : [];
  if (!keys.length) return null;
  return h("dl", { class: "detail" }, keys.map((key) =>
    h("div", {}, h("dt", {}, key), h("dd", {}, asText(values[key])))));
}

function pendingEntry(type, isNext) {
  const label = typeLabel(type);
  return h("li", { class: `entry pending${isNext ? " next" : ""}`, dataset: { type } },
    h("span", { class: "dot", "aria-hidden": "true" }),
    h("div", { class: "entry-body" },
      h("div", { class: "entry-head" },
        h("span", { class: "entry-name" }, nameOf(label)),
        h("span", { class: "tag" }, t(isNext ? "timeline.nextMark" : "timeline.pending")))));
}
