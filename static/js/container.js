// The container page (#/container/<no>): every visit the caller sees, kept live by a
// {"container_no"} subscription. A state replaces the shown one only when its version is higher, so
// snapshots after a reconnection and late HTTP answers never go back in time or duplicate anything.

import { getContainer } from "./api.js";
import { fill, h } from "./dom.js";
import { t } from "./i18n.js";
import { isScopeMessage, watch } from "./live.js";
import { observeView } from "./notify.js";
import { renderVisit } from "./timeline.js";

export function mountContainer(root, rawNo) {
  const containerNo = rawNo.trim().toUpperCase();
  let view = null;
  let version = -1;
  let notFound = false;
  let error = null;
  const fresh = new Set(); // event ids that arrived after the first state
  let active = true;

  function accept(next, live) {
    if (!next || next.container_no !== containerNo || !(next.version > version)) return;
    if (view) { // mark what this state adds (only the latest arrivals: older ones are not news any more)
      const before = new Set(view.visits.flatMap((v) => v.timeline.map((e) => e.event_id)));
      fresh.clear();
      next.visits.forEach((v) => v.timeline.forEach((e) => { if (!before.has(e.event_id)) fresh.add(e.event_id); }));
    }
    observeView(next, !live || version < 0);
    view = next;
    version = next.version;
    notFound = false;
    error = null;
    render();
  }

  function missing() {
    if (view) return; // a state was shown: the answer that it does not exist came from before it did
    notFound = true;
    render();
  }

  function render() {
    if (!active) return; // an answer that arrives after the user moved on must not draw over the new page
    document.title = `${containerNo} · ${t("app.title")}`;
    const head = h("div", { class: "page-head" },
      h("a", { class: "back", href: "#/" }, t("container.back")),
      h("h1", { class: "container-title" }, containerNo,
        view ? h("span", { class: "version", dataset: { version: String(version) } },
          t("container.version", { v: version })) : null));
    if (notFound) {
      fill(root, head, h("div", { class: "state notfound-state", role: "alert", id: "not-found" },
        h("h2", {}, t("container.notFound")), h("p", {}, t("container.notFoundHelp"))));
    } else if (error && !view) {
      fill(root, head, h("div", { class: "state error-state", role: "alert" },
        error.waiting ? t("container.waiting") : t("error.generic", { message: error.message })));
    } else if (!view) {
      fill(root, head, h("div", { class: "state loading-state" }, h("span", { class: "spinner" }),
        t("container.loading")));
    } else {
      fill(root, head, h("div", { class: "visits" }, view.visits.map((visit) => renderVisit(visit, fresh))));
    }
  }

  const stop = watch({ container_no: containerNo }, {
    snapshot: (d) => { if (!isScopeMessage(d)) accept(d, true); },
    update: (d) => { if (!isScopeMessage(d)) accept(d, true); },
    notFound: (request) => { if (request.container_no === containerNo) missing(); },
  });

  render();
  // The HTTP answer shows the container even while the live connection is still being made.
  getContainer(containerNo).then((answer) => accept(answer, false)).catch((failure) => {
    if (failure.status === 404 || failure.status === 400) missing();
    // a 503's subscription was told to come back too (live.js): its snapshot will show the container
    else if (!view) { error = { waiting: failure.status === 503, message: failure.message }; render(); }
  });

  return { render, unmount: () => { active = false; stop(); } };
}
