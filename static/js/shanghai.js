// Times as a person at Yantai types them: a datetime-local value in Asia/Shanghai, whatever the
// browser's own zone is, and back to an RFC 3339 text with +08:00.

const parts = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit",
  day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });

/** "2026-11-25T09:12:00": now (or `moment`) on a Shanghai wall clock, for <input type=datetime-local>. */
export function shanghaiLocal(moment = new Date()) {
  const p = Object.fromEntries(parts.formatToParts(moment).map(({ type, value }) => [type, value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

/** A datetime-local value read as Shanghai time: "2026-11-25T09:12:00+08:00" ("" stays ""). */
export function withShanghaiOffset(local) {
  if (!local) return "";
  return `${local.length === 16 ? `${local}:00` : local}+08:00`;
}
