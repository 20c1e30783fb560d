// Small status marks shared by the list and the container page.

import { h } from "./dom.js";
import { nameOf, t } from "./i18n.js";

const STAGE_CLASSES = new Set(["DECLARATION", "MANIFEST", "ARRIVAL", "INSPECTION", "RELEASE", "VESSEL_AND_YARD"]);

/** The stage colour class of a labelled event type (holds have their own colour). */
export function stageClass(label) {
  if (!label) return "stage-none";
  if (label.type === "HOLD_PLACED") return "stage-hold";
  return STAGE_CLASSES.has(label.stage) ? `stage-${label.stage.toLowerCase()}` : "stage-none";
}

/** The current event type of a visit as a badge in its stage's colour; the stage is named before it,
 * or only in the tooltip when `compact` (lists). */
export function stageBadge(label, compact = false) {
  if (!label) return h("span", { class: "badge stage-none" }, t("badge.none"));
  const stage = label.stage ? t(`stage.${label.stage}`) : "";
  const name = nameOf(label);
  return h("span", { class: `badge ${stageClass(label)}`, title: stage },
    compact || !stage || stage === name ? null : h("span", { class: "badge-stage" }, stage), name);
}

/** Holds (red), abnormal inspection (amber) and flags of a visit; `holds`/`flags` are counts. */
export function alertBadges({ holds = 0, flags = 0, abnormal = false }) {
  return [
    holds > 0 ? h("span", { class: "badge alert-hold" }, t("badge.holds", { n: holds })) : null,
    abnormal ? h("span", { class: "badge alert-abnormal" }, t("badge.abnormal")) : null,
    flags > 0 ? h("span", { class: "badge alert-flag" }, t("badge.flags", { n: flags })) : null,
  ].filter(Boolean);
}

export function directionBadge(direction) {
  const known = direction === "EXPORT" || direction === "IMPORT";
  return h("span", { class: `direction direction-${known ? direction.toLowerCase() : "other"}` },
    known ? t(`direction.${direction}`) : String(direction ?? ""));
}
