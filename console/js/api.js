// Every call the console makes: same origin, `Authorization: Bearer` from this tab's session storage.
// The token never goes into a URL or a cookie.

const TOKEN_KEY = "wasm-orchestrator.token";
export const API = "/api/v1/wasm";

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An RFC 9457 problem (or a network failure made to look like one). */
export class Problem extends Error {
  constructor(status, title, detail) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

/** Listeners told when the server answers 401 (the token expired or was revoked). */
const unauthorizedListeners = new Set();
export const onUnauthorized = (listener) => unauthorizedListeners.add(listener);

/** The headers of an authenticated call. */
export function authHeaders(extra = {}) {
  const headers = { Accept: "application/json", ...extra };
  const token = session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

/**
 * `method` `path` (below /api/v1/wasm) with an optional JSON `body`; resolves to `{ data, etag }`.
 * Rejects with a `Problem` carrying the server's title and detail.
 */
export async function call(method, path, { body, query, headers = {}, signal } = {}) {
  const url = new URL(API + path, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  const init = { method, headers: authHeaders(headers), signal, cache: "no-store" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new Problem(0, "The server cannot be reached", String(error.message ?? error));
  }
  if (!response.ok) {
    let title = `${response.status} ${response.statusText}`;
    let detail = "";
    try {
      const problem = await response.json();
      title = problem.title ?? title;
      detail = problem.detail ?? "";
    } catch { /* not problem+json */ }
    if (response.status === 401) unauthorizedListeners.forEach((listener) => listener());
    throw new Problem(response.status, title, detail);
  }
  const data = response.status === 204 ? null : await response.json();
  return { data, etag: response.headers.get("ETag") };
}

export const get = (path, query, options) => call("GET", path, { ...options, query });

/**
 * Every item of a paged listing (`{ [key]: [...], nextCursor }`), following `nextCursor` for at most `maxPages`
 * pages of `limit` (the API's largest page). Resolves to `{ items, complete }`: `complete` is false when the
 * listing had more than that, so a page can say so rather than show a part as the whole.
 */
export async function getAll(path, key, query = {}, { limit = 200, maxPages = 50 } = {}) {
  const items = [];
  let cursor;
  for (let page = 0; page < maxPages; page++) {
    const { data } = await get(path, { ...query, limit, cursor });
    items.push(...data[key]);
    cursor = data.nextCursor;
    if (!cursor) return { items, complete: true };
  }
  return { items, complete: false };
}
export const post = (path, body, headers) => call("POST", path, { body, headers });
