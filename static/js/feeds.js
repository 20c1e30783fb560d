// The feed health panel: per publisher, what was stored in the last hour, its newest event, whether it
// went silent, and its dead letters by reason; the originals are text nodes (the API escapes them too).

import { getFeeds } from "./api.js";
import { h, humanDuration, timeElement } from "./dom.js";
import { t } from "./i18n.js";
import { mountPanel } from "./panels.js";

export function mountFeeds(root) {
  return mountPanel(root, { id: "feeds", titleKey: "feeds.title", helpKey: "feeds.help", load: getFeeds, draw });
}

function draw(data) {
  return [
    data.dead_letters_unavailable ? h("p", { class: "result bad" }, t("feeds.unavailable", { message: data.dead_letters_unavailable })) : null,
    data.publishers.length ? h("ul", { class: "feeds" }, data.publishers.map((p) => feed(p, data.as_of)))
      : h("p", { class: "muted empty" }, t("feeds.empty")),
  ];
}

function feed(p, asOf) {
  const total = Object.values(p.dead_letters).reduce((a, b) => a + b, 0);
  const since = p.last_event_at ? (new Date(asOf) - new Date(p.last_event_at)) / 1000 : null;
  return h("li", { class: `feed ${p.silent ? "silent" : "live"}`, dataset: { publisher: p.publisher } },
    h("div", { class: "feed-head" },
      h("strong", { class: "mono" }, p.publisher), h("span", { class: "tag" }, p.source ? t(`source.${p.source}`) : "?"),
      h("span", { class: `badge feed-state ${p.silent ? "silent" : "live"}`,
        title: t("feeds.silentHelp", { d: humanDuration(p.silent_after_seconds) }) }, t(p.silent ? "feeds.silent" : "feeds.live"))),
    h("dl", { class: "feed-facts" },
      h("div", {}, h("dt", {}, t("feeds.lastHour")), h("dd", { class: "last-hour" }, String(p.accepted_last_hour))),
      h("div", {}, h("dt", {}, t("feeds.last")), h("dd", {}, since === null ? t("feeds.never")
        : timeElement(p.last_event_at, {}, () => t("feeds.ago", { d: humanDuration(since) }))))),
    total ? h("details", { class: "dead-letters" },
      h("summary", {}, h("span", { class: "badge alert-hold dead-count" }, t("feeds.deadLetters", { n: total }))),
      h("ul", { class: "reasons" }, Object.entries(p.dead_letters).map(([reason, n]) =>
        h("li", {}, h("span", { class: "count" }, `${n} ×`), " ", reason))),
      h("p", { class: "panel-help" }, t("feeds.latest")),
      h("ul", { class: "latest" }, p.latest_dead_letters.map((d) => h("li", {},
        timeElement(d.at), " ", h("span", { class: "reason" }, d.reason), h("code", { class: "original" }, d.original)))))
      : h("p", { class: "muted small" }, t("feeds.noDeadLetters")));
}
