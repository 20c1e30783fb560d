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
