// Live updates: the server-sent-events stream GET /api/v1/wasm/events read with fetch() and a stream reader
// (EventSource cannot send the Authorization header, and the token never goes into a URL). When the stream is
// not there (404), refused or drops, the console polls instead and tries the stream again later.

import { API, authHeaders } from "./api.js";

const POLL_MS = 3000;
const RETRY_STREAM_MS = 30000;
/** A frame (one event) is a few KB; a stream that never ends one is dropped, not buffered for ever. */
const MAX_FRAME_CHARS = 1 << 20;

/**
 * Calls `onChange(event)` for each event whose type starts with one of `types` (`deployment`, `node`), and
 * `onChange(null)` on each poll tick while the stream is unavailable. `report(text)` describes the mode.
 * Returns a function that stops everything.
 */
export function watch(types, onChange, report = () => {}) {
  let stopped = false;
  let pollTimer = null;
  let retryTimer = null;
  const controller = new AbortController();

  const startPolling = (why) => {
    if (stopped || pollTimer) return;
    report(`Updates: polling every ${POLL_MS / 1000} s (${why}).`);
    pollTimer = setInterval(() => onChange(null), POLL_MS);
    retryTimer = setTimeout(() => { stopPolling(); connect(); }, RETRY_STREAM_MS);
  };
  const stopPolling = () => {
    clearInterval(pollTimer);
    clearTimeout(retryTimer);
    pollTimer = null;
  };

  async function connect() {
    if (stopped) return;
    let response;
    try {
      const url = `${API}/events?types=${encodeURIComponent(types.join(","))}`;
      response = await fetch(url, { headers: authHeaders({ Accept: "text/event-stream" }), signal: controller.signal });
    } catch (error) {
      if (!stopped) startPolling("the event stream cannot be reached");
      return;
    }
    if (!response.ok || !response.body || !(response.headers.get("Content-Type") ?? "").startsWith("text/event-stream")) {
      startPolling(response.status === 404 ? "no event stream on this server" : `event stream answered ${response.status}`);
      return;
    }
    report("Updates: live (event stream).");
    onChange(null); // anything missed while connecting
    try {
      await readEvents(response.body, onChange);
    } catch { /* dropped */ }
    if (!stopped) startPolling("the event stream dropped");
  }

  connect();
  return () => {
    stopped = true;
    stopPolling();
    controller.abort();
  };
}

/** Reads `text/event-stream` frames and hands each `data:` payload (a CloudEvents envelope) to `onEvent`. */
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replaceAll("\r\n", "\n");
    if (buffer.length > MAX_FRAME_CHARS) throw new Error("event stream frame too large"); // then: polling
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame.split("\n").filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).replace(/^ /, "")).join("\n");
      if (!data) continue; // a comment (`: keep-alive`) or an event without data
      try { onEvent(JSON.parse(data)); } catch { /* not JSON: ignore */ }
    }
  }
}

/** Coalesces calls made within `ms` into one, so a burst of events means one refetch; `.cancel()` drops a pending one. */
export function debounce(fn, ms = 250) {
  let timer = null;
  const call = () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
  call.cancel = () => clearTimeout(timer);
  return call;
}
