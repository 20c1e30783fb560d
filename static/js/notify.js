// Browser notifications for watched containers: customs release reached, or a hold placed.
// Permission is asked only when the user presses the button.

import { nameOf, t } from "./i18n.js";
import { typeLabel } from "./vocabulary.js";

const RELEASED = "CUSTOMS_RELEASED";
const known = new Map(); // "container_no|visit" -> {released, holds}

function supported() { return "Notification" in window; }

/** Show the button's state (ask / on / blocked) and ask for permission when it is pressed. */
export function mountNotifyButton(button) {
  const render = () => {
    if (!supported()) { button.hidden = true; return; }
    const permission = Notification.permission;
    button.textContent = t(permission === "granted" ? "notify.on" : permission === "denied"
      ? "notify.blocked" : "notify.enable");
    button.disabled = permission !== "default";
    button.setAttribute("aria-pressed", String(permission === "granted"));
  };
  button.addEventListener("click", async () => {
    if (supported() && Notification.permission === "default") await Notification.requestPermission();
    render();
  });
  render();
  return render;
}

/**
 * Record what a visit looks like now: `released` is true, false, or null when not known (a summary only
 * shows the current type). `quiet` observations (snapshots, page loads) only set what is known; a live
 * one in which customs release appears, or a hold is added, notifies once.
 */
export function observeVisit(containerNo, visit, released, holds, quiet) {
  const key = `${containerNo}|${visit}`;
  const before = known.get(key) || { released: null, holds: 0 };
  known.set(key, { released: released === null ? before.released : released, holds });
  if (quiet) return;
  if (released === true && before.released !== true) {
    show(t("notify.released", { no: containerNo }), RELEASED, containerNo, visit);
  }
  if (holds > before.holds) show(t("notify.hold", { no: containerNo }), "HOLD_PLACED", containerNo, visit);
}

/** Observe every visit of a container view (with timeline and a list of holds) or of summaries. */
export function observeView(view, quiet) {
  for (const visit of view.visits || []) {
    const holds = Array.isArray(visit.holds) ? visit.holds.length : Number(visit.holds) || 0;
    const current = visit.current ? visit.current.type : null;
    const released = Array.isArray(visit.timeline)
      ? visit.timeline.some((e) => e.type === RELEASED && (e.classifier || "ACTUAL") === "ACTUAL")
      : (current === RELEASED ? true : null);
    observeVisit(view.container_no, visit.visit, released, holds, quiet);
  }
}

function show(title, type, containerNo, visit) {
  if (!supported() || Notification.permission !== "granted") return;
  try {
    const note = new Notification(title, {
      body: `${nameOf(typeLabel(type))} · ${visit}`, tag: `${containerNo}|${visit}|${type}`,
    });
    note.onclick = () => {
      window.focus();
      window.location.hash = `#/container/${encodeURIComponent(containerNo)}`;
      note.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker; the page itself still updates.
  }
}
