// The portal's HTTP API (/api/v1), called with the browser's session cookie.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error;
  }
}

async function getJSON(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, value);
  }
  const url = query.toString() ? `${path}?${query}` : path;
  const answer = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const body = await answer.json().catch(() => null);
  if (answer.status === 401) {
    window.location.assign("/login");  // the session ended (logged out elsewhere, expired, disabled)
  }
  if (!answer.ok) throw new ApiError(answer.status, body);
  return body;
}

/** Who is logged in: `{name, role, uscc, terminal, csrf_token}`. */
export function getSession() {
  return getJSON("/api/v1/session");
}

/** A page of the caller's visits: `{items: [summary], page, per_page, total}`. */
export function listContainers({ q, stage, direction, page = 1, perPage = 20 } = {}) {
  return getJSON("/api/v1/containers", { q, stage, direction, page, per_page: perPage });
}

/** A container view `{container_no, version, visits}`; ApiError 404 when unknown or not the caller's. */
export function getContainer(containerNo) {
  return getJSON(`/api/v1/containers/${encodeURIComponent(containerNo)}`);
}

let csrfToken = null;

/** POST to the API with the session cookie and the CSRF token of GET /api/v1/session: `{status, body}`
 * for the answers a caller reads (202, 200, 400), ApiError for the others. */
async function postBody(path, body, contentType, params = {}) {
  if (!csrfToken) csrfToken = (await getSession()).csrf_token;
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ""));
  const url = query.toString() ? `${path}?${query}` : path;
  const answer = await fetch(url, { method: "POST", credentials: "same-origin", body,
    headers: { Accept: "application/json", "Content-Type": contentType, "X-CSRFToken": csrfToken } });
  const parsed = await answer.json().catch(() => null);
  if (answer.status === 401) window.location.assign("/login");
  if (answer.status === 400 && parsed && parsed.error === "csrf_failed") csrfToken = null; // a new session: ask again
  if (![200, 202, 400].includes(answer.status) || !parsed || !Array.isArray(parsed.accepted)) {
    throw new ApiError(answer.status, parsed);
  }
  return { status: answer.status, body: parsed };
}

/** Publish (or with `dryRun`, only check) events: JSON `events`, or a CSV/XLSX `File`. */
export function postEvents(events, { dryRun = false, terminal } = {}) {
  const isFile = typeof File !== "undefined" && events instanceof Blob;
  const type = !isFile ? "application/json" : /\.xlsx$/i.test(events.name || "")
    ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv";
  return postBody("/api/v1/events", isFile ? events : JSON.stringify(events), type,
    { dry_run: dryRun ? "1" : "", terminal: isFile ? terminal : "" });
}

/** Feed health: `{publishers: [...], dead_letters_unavailable, ...}`. */
export function getFeeds() { return getJSON("/api/v1/feeds"); }

/** The yard's visits waiting on a step: `{items: [...]}`. */
export function getWorklist() { return getJSON("/api/v1/worklist"); }

/** The newest publishes of the caller's terminal (the audit): `{items: [...]}`. */
export function getRecentPublishes() { return getJSON("/api/v1/events/recent"); }

/** Containers whose number starts with `q` (for suggestions). */
export function suggestContainers(q) { return getJSON("/api/v1/containers", { q, per_page: 8 }); }
