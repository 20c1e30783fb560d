// Building the page from data without ever parsing it as HTML: every value becomes a text node.

import { language, t } from "./i18n.js";

export const TIME_ZONE = "Asia/Shanghai";

/**
 * h("li", {class: "entry", dataset: {id}}, "text", child, [more]) — an element whose string and number
 * children become text nodes. Attributes are set with setAttribute; `on*` keys add event listeners.
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "value") node.value = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

/** Replace everything inside `node` with `children`. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

const parts = new Intl.DateTimeFormat("en-GB", {
  timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});

/** An RFC 3339 instant as Shanghai local time with its offset, the same in both languages:
 * "2026-11-25 09:12:00 UTC+8". */
export function formatTime(text) {
  const moment = new Date(text);
  if (Number.isNaN(moment.getTime())) return String(text ?? "");
  const p = Object.fromEntries(parts.formatToParts(moment).map(({ type, value }) => [type, value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} UTC+8`;
}

const shortFormats = new Map();

/** The same, short ("25 Nov, 18:30" / "11月25日 18:30"), for lists whose heading names the zone. */
export function formatShortTime(text) {
  const lang = language();
  if (!shortFormats.has(lang)) {
    shortFormats.set(lang, new Intl.DateTimeFormat(lang === "zh-CN" ? "zh-CN" : "en-GB", {
      timeZone: TIME_ZONE, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false,
    }));
  }
  const moment = new Date(text);
  return Number.isNaN(moment.getTime()) ? String(text ?? "") : shortFormats.get(lang).format(moment);
}

/** A <time> element for an instant: Shanghai time shown (full with offset, or `format`), the instant
 * itself in `datetime` and, in full, in the tooltip. */
export function timeElement(text, props = {}, format = formatTime) {
  return h("time", { datetime: text, title: `${formatTime(text)} (${TIME_ZONE})`, ...props }, format(text));
}

/** Whole seconds as "2 h 5 min", "3 d 4 h", "45 s" (two largest units at most). */
export function humanDuration(seconds) {
  const total = Math.max(0, Math.round(seconds));
  const parts = [[Math.floor(total / 86400), "unit.d"], [Math.floor(total / 3600) % 24, "unit.h"],
    [Math.floor(total / 60) % 60, "unit.min"], [total % 60, "unit.s"]];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return t("unit.s", { n: 0 });
  return parts.slice(first, first + 2).filter(([n]) => n > 0).map(([n, key]) => t(key, { n })).join(" ");
}

/** A value from the API that is not a string (numbers, nested objects in `detail`) as readable text. */
export function asText(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}
