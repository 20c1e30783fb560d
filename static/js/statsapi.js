// The figures and alerts of the HTTP API (/api/v1/stats, /api/v1/alerts), called with the session cookie.

import { ApiError } from "./api.js";

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) value.forEach((v) => search.append(key, v));
    else if (value !== undefined && value !== null && value !== "") search.set(key, value);
  }
  return search.toString();
}

/** The address of an API resource with these parameters (also what a CSV download link points at). */
export function apiUrl(path, params = {}) {
  const text = query(params);
  return text ? `${path}?${text}` : path;
}

async function send(url, options = {}) {
  const answer = await fetch(url, { credentials: "same-origin", ...options,
    headers: { Accept: "application/json", ...(options.headers || {}) } });
  const body = await answer.json().catch(() => null);
  if (answer.status === 401) window.location.assign("/login"); // the session ended
  if (!answer.ok) throw new ApiError(answer.status, body);
  return body;
}

/** The filters of the page as the stats API takes them (`to` exclusive there, inclusive on the page). */
export function scopeParams(filter, extra = {}) {
  return { direction: filter.direction, from: filter.from, to: filter.to ? nextDay(filter.to) : "",
    terminal: filter.terminal, lane: filter.lane, inspected: filter.inspected, ...extra };
}

/** YYYY-MM-DD of the day after `day`. */
export function nextDay(day) {
  const moment = new Date(`${day}T00:00:00Z`);
  moment.setUTCDate(moment.getUTCDate() + 1);
  return moment.toISOString().slice(0, 10);
}

/** `{measure, direction, from, to, unit, groups: [{key, count, mean, p50, p90, max}], open, excluded,
 * survival: [{hours, share_ended}], port_p50}` */
export function getClearanceTime(params) {
  return send(apiUrl("/api/v1/stats/clearance-time", params));
}

/** `{direction, from, to, unit, groups: [{key, en, zh, count, mean, p50, p90, max, port_p50}]}`, a group per stage. */
export function getStages(params) {
  return send(apiUrl("/api/v1/stats/stages", params));
}

/** `{at, active, stages: [{stage, count}], inspected, inspection_rate, active_holds, open_alerts}` */
export function getNow(params) {
  return send(apiUrl("/api/v1/stats/now", params));
}

/** `{from, to, items: [{day, terminal, step, rule_id, steps, within, late, share_within, commitment_percent,
 * meets_commitment}]}`; `from` and `to` are both included here. */
export function getCompliance(params) {
  return send(apiUrl("/api/v1/stats/compliance", params));
}

/** `{items: [{id, step, name_en, name_zh, direction, terminal, size, warning_seconds, alarm_seconds,
 * commitment_percent, enabled}]}`: the time limits. */
export function getAlertRules() {
  return send("/api/v1/alert-rules");
}

export function getAlerts(params) {
  return send(apiUrl("/api/v1/alerts", params));
}

/** Acknowledge an alert with a reason; the CSRF token comes from GET /api/v1/session. */
export async function acknowledgeAlert(id, reason) {
  const session = await send("/api/v1/session");
  return send(`/api/v1/alerts/${encodeURIComponent(id)}/acknowledge`, {
    method: "POST", body: JSON.stringify({ reason }),
    headers: { "Content-Type": "application/json", "X-CSRFToken": session.csrf_token },
  });
}
