// The console's shell: sign-in, the hash router, the error banner and live updates for the page shown.

import { call, onUnauthorized, Problem, session } from "./api.js";
import { debounce, watch } from "./live.js";
import * as inbox from "./pages/inbox.js";
import * as deployment from "./pages/deployment.js";
import * as deployments from "./pages/deployments.js";
import * as releases from "./pages/releases.js";
import * as nodes from "./pages/nodes.js";
import * as audit from "./pages/audit.js";

const pages = { inbox, deployments, releases, nodes, audit };
const $ = (id) => document.getElementById(id);
let stopLive = () => {};
/** Bumped by every route(): a route whose first refresh finishes after the next route began does nothing more. */
let routeGeneration = 0;
let me = null;

/** Shows a problem's title and detail in the alert banner (or hides it for `null`). */
export function showError(error) {
  const banner = $("error");
  banner.replaceChildren();
  if (!error) { banner.hidden = true; return; }
  if (error.name === "AbortError") return;
  const problem = error instanceof Problem ? error : new Problem(0, "Something went wrong", String(error));
  const title = document.createElement("strong");
  title.textContent = problem.title;
  banner.append(title);
  if (problem.detail) banner.append(document.createTextNode(` — ${problem.detail}`));
  banner.hidden = false;
}

async function signedIn() {
  try {
    me = (await call("GET", "/auth/whoami")).data;
  } catch (error) {
    session.signOut();
    showSignIn();
    showError(error);
    return;
  }
  $("whoami").textContent = `${me.subject} (${me.role})`;
  $("identity").hidden = false;
  $("nav").hidden = false;
  $("sign-in").hidden = true;
  route();
}

function showSignIn() {
  stopLive();
  me = null;
  $("identity").hidden = true;
  $("nav").hidden = true;
  $("page").replaceChildren();
  $("live-status").textContent = "";
  $("sign-in").hidden = false;
  $("token").value = "";
  $("token").focus();
}

/** `#/deployments/<id>` → the deployment page; `#/<page>` → that page; anything else → the inbox. */
async function route() {
  if (!me) return;
  stopLive();
  const generation = ++routeGeneration;
  showError(null);
  const [name, id] = location.hash.replace(/^#\/?/, "").split("/");
  const page = name === "deployments" && id ? deployment : pages[name] ?? inbox;
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.page === (pages[name] ? name : "inbox")) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const container = $("page");
  const context = { me, id: id ? decodeURIComponent(id) : null, showError };
  const view = page.create(context);
  container.replaceChildren(view.element);
  document.getElementById("page-title")?.focus();
  const refresh = async () => {
    try { await view.refresh(); } catch (error) { showError(error); }
  };
  await refresh();
  // The user may have moved on while the first refresh ran: that route owns the live updates now.
  if (generation !== routeGeneration) return;
  const soon = debounce(refresh);
  const stopWatching = watch(view.events ?? [], (event) => {
    if (!event || !view.concerns || view.concerns(event)) soon();
  }, (text) => { $("live-status").textContent = text; });
  stopLive = () => { stopWatching(); soon.cancel(); };
}

function start() {
  $("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("token").value.trim();
    if (!token) return;
    session.signIn(token);
    showError(null);
    signedIn();
  });
  $("sign-out").addEventListener("click", () => {
    session.signOut();
    showError(null);
    showSignIn();
  });
  onUnauthorized(() => { session.signOut(); showSignIn(); });
  window.addEventListener("hashchange", route);
  if (session.token()) signedIn(); else showSignIn();
}

start();
