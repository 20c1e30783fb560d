// One Socket.IO connection to /live for the whole page. Subscriptions are remembered and sent again
// after every (re)connection, so the server answers each with a fresh snapshot: nothing is missed
// while the connection was down, and the receivers' version checks drop what they already have.

const receivers = new Set(); // {key, snapshot(data), update(data), notFound(request), reconnected()}
const statusListeners = new Set();
let socket = null;
let status = "connecting";
let everConnected = false;

export function onStatus(listener) {
  statusListeners.add(listener);
  listener(status);
  return () => statusListeners.delete(listener);
}

function setStatus(next) {
  if (next === status) return;
  status = next;
  statusListeners.forEach((listener) => listener(status));
}

function each(method, data) {
  for (const receiver of [...receivers]) {
    if (typeof receiver[method] === "function") receiver[method](data);
  }
}

/** Open the connection (once). `io` is the global of /static/vendor/socket.io.min.js. */
export function startLive() {
  if (socket) return;
  socket = window.io("/live", { reconnectionDelayMax: 5000 });
  socket.on("connect", () => {
    const reconnected = everConnected;
    everConnected = true;
    setStatus("live");
    const messages = new Set([...receivers].map((r) => r.key));
    messages.forEach((key) => socket.emit("subscribe", JSON.parse(key)));
    if (reconnected) each("reconnected");
  });
  socket.on("disconnect", (reason) => {
    setStatus("reconnecting");
    // Ended by the server: the client does not retry by itself then.
    if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
  });
  socket.on("connect_error", () => {
    setStatus("reconnecting");
    // A refused connection (the session is gone) is not retried by the client: check, then retry.
    if (!socket.active) setTimeout(retryAfterRefusal, 2000);
  });
  socket.on("snapshot", (data) => each("snapshot", data));
  socket.on("update", (data) => each("update", data));
  socket.on("not_found", (data) => each("notFound", (data && data.request) || {}));
  // The database is away for a moment: ask again when the portal says.
  socket.on("unavailable", (data) => {
    if (data && data.request) setTimeout(() => socket.emit("subscribe", data.request), 1000 * (data.retry_after || 5));
  });
  window.__live = { socket }; // for tests: __live.socket.io.engine.close() forces a reconnection
}

async function retryAfterRefusal() {
  const answer = await fetch("/api/v1/session", { credentials: "same-origin" }).catch(() => null);
  if (answer && answer.status === 401) window.location.assign("/login");
  else socket.connect();
}

/**
 * Subscribe to `message` ({container_no: ...} or {scope: "mine"}) and hand what arrives to `receiver`.
 * Every receiver sees every event (the server has no unsubscribe) and keeps what concerns it.
 * Returns a function that stops delivery; the subscription is not sent again after a reconnection.
 */
export function watch(message, receiver) {
  receiver.key = JSON.stringify(message);
  receivers.add(receiver);
  if (socket && socket.connected) socket.emit("subscribe", message);
  return () => receivers.delete(receiver);
}

/** Is this Socket.IO payload about the caller's list (scope) rather than one container? */
export function isScopeMessage(data) {
  return Boolean(data && typeof data === "object" && "scope" in data);
}
