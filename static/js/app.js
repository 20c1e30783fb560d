// The page: who is logged in, the live connection, the language, notifications, and the hash router
// (#/ with filters for "My containers", #/container/<no> for one container, #/port for the dashboard).

import { getSession } from "./api.js";
import { mountContainer } from "./container.js";
import { mountDashboard } from "./dashboard.js";
import { language, onLanguageChange, setLanguage, t, translateStatic } from "./i18n.js";
import { mountList } from "./list.js";
import { isScopeMessage, onStatus, startLive, watch } from "./live.js";
import { mountNotifyButton, observeView } from "./notify.js";
import { mountPublish } from "./publish.js";

const main = document.getElementById("main");
let view = null; // {name, render, unmount, setParams?}

function parseRoute() {
  const hash = window.location.hash.replace(/^#/, "");
  const match = hash.match(/^\/container\/([^/?]+)/);
  if (match) {
    let key = match[1];
    try { key = decodeURIComponent(key); } catch { /* a malformed escape: looked up as typed, then not found */ }
    return { name: "container", key };
  }
  const query = hash.includes("?") ? hash.slice(hash.indexOf("?") + 1) : "";
  if (/^\/publish(\?|$)/.test(hash)) return { name: "publish", key: "" };
  if (/^\/port(\?|$)/.test(hash)) return { name: "port", key: "", params: new URLSearchParams(query) };
  return { name: "list", key: "", params: new URLSearchParams(query) };
}

function route() {
  const next = parseRoute();
  if (view && view.name === next.name && next.params && view.setParams) { // the list or the dashboard, new filters
    view.setParams(next.params);
    return;
  }
  if (view && view.name === next.name && view.key === next.key) return;
  if (view) view.unmount();
  const mounted = next.name === "container" ? mountContainer(main, next.key)
    : next.name === "port" ? mountDashboard(main, next.params)
    : next.name === "publish" ? mountPublish(main) : mountList(main, next.params);
  view = { ...mounted, name: next.name, key: next.key };
  if (next.name === "list") document.title = t("app.title"); // the container page names itself
  document.querySelectorAll(".topnav a").forEach((a) => a.classList.toggle("active", (a.dataset.route || "list") === next.name));
  main.focus({ preventScroll: true });
}

function showStatus(status) {
  const node = document.getElementById("live-status");
  node.dataset.status = status;
  node.querySelector(".text").textContent = t(`status.${status}`);
}

function languageButtons() {
  document.querySelectorAll("[data-lang]").forEach((button) => {
    button.setAttribute("aria-pressed", String(button.dataset.lang === language()));
    button.onclick = () => setLanguage(button.dataset.lang);
  });
}

async function showUser() {
  const session = await getSession();
  document.getElementById("user-name").textContent = session.name;
  document.getElementById("user-role").textContent = t(`role.${session.role}`);
  document.getElementById("user-role").dataset.role = session.role;
  document.getElementById("csrf-token").value = session.csrf_token;
  document.getElementById("logout-button").disabled = false;
  document.querySelectorAll(".topnav [data-roles]").forEach((a) => { a.hidden = !a.dataset.roles.split(" ").includes(session.role); });
}

function watchForNotifications() {
  let snapshots = 0;
  watch({ scope: "mine" }, {
    snapshot: (d) => {
      if (!isScopeMessage(d)) return;
      const quiet = snapshots++ === 0; // later ones follow a reconnection: changes made meanwhile count
      for (const summary of d.containers || []) observeView({ container_no: summary.container_no, visits: [summary] }, quiet);
    },
    update: (d) => { if (isScopeMessage(d)) observeView(d, false); },
  });
}

function start() {
  translateStatic();
  languageButtons();
  const renderNotify = mountNotifyButton(document.getElementById("notify-button"));
  onStatus(showStatus);
  onLanguageChange(() => {
    translateStatic();
    languageButtons();
    renderNotify();
    showStatus(document.getElementById("live-status").dataset.status);
    const role = document.getElementById("user-role");
    if (role.dataset.role) role.textContent = t(`role.${role.dataset.role}`);
    if (view) view.render();
    if (view && view.name === "list") document.title = t("app.title");
  });
  document.getElementById("skip").addEventListener("click", (event) => {
    event.preventDefault();
    main.focus();
  });
  showUser().catch(() => { /* a 401 already went to /login; the rest of the page still works */ });
  startLive();
  watchForNotifications();
  window.addEventListener("hashchange", route);
  route();
  window.__app = { ready: true };
}

start();
