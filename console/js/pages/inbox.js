// The approvals inbox: deployments the signed-in user may approve (the server's `allowedActions` says which),
// and approved ones the user may start.

import { get, getAll } from "../api.js";
import { badge, h, heading, shortDigest, time } from "../dom.js";
import { ACTIONS, ask, send } from "./actions.js";
import { describeCohorts, describeStrategy, describeTarget } from "./format.js";

/** The deployments' ETag, `"r<revision>"`: the listing carries the revision, not each deployment's header. */
const etagOf = (d) => `"r${d.revision}"`;

export function create({ showError }) {
  const pending = h("div", { class: "cards", "aria-live": "polite", id: "inbox-pending" });
  const ready = h("div", { class: "cards", "aria-live": "polite", id: "inbox-ready" });
  const element = h("section", {},
    heading("Approvals"),
    h("h2", {}, "Waiting for your approval"), pending,
    h("h2", {}, "Approved, ready to start"), ready);

  /** Cohort plans by deployment and revision: a card's node rows are read again only when the deployment changed. */
  const plans = new Map();

  /** The cohort plan of `d` in words, from all of its node rows. */
  async function planOf(d) {
    const key = `${d.id} ${d.revision}`;
    if (!plans.has(key)) {
      try {
        const { items, complete } = await getAll(`/deployments/${encodeURIComponent(d.id)}/nodes`, "nodes");
        plans.set(key, describeCohorts(items) + (complete ? "" : " (the first pages only)"));
      } catch {
        return "unknown"; // not kept: the next refresh asks again
      }
    }
    return plans.get(key);
  }

  /** `force` after the user's own action: then the cards are replaced even where the focus is. */
  async function refresh(force = false) {
    const [waiting, approved] = await Promise.all([
      get("/deployments", { status: "PendingApproval", limit: 100 }),
      get("/deployments", { status: "Approved", limit: 100 }),
    ]);
    const mine = waiting.data.deployments.filter((d) => d.allowedActions.includes("approve"));
    const startable = approved.data.deployments.filter((d) => d.allowedActions.includes("execute"));
    const shown = [...mine, ...startable];
    const texts = await Promise.all(shown.map(planOf));
    const keys = new Set(shown.map((d) => `${d.id} ${d.revision}`));
    for (const key of plans.keys()) if (!keys.has(key)) plans.delete(key); // deployments no longer shown
    const plan = (i) => texts[i];
    replace(pending, mine.map((d, i) => card(d, plan(i), true)), "Nothing waits for your approval.", force);
    replace(ready, startable.map((d, i) => card(d, plan(mine.length + i), false)), "Nothing approved waits to start.", force);
  }

  function replace(container, cards, empty, force) {
    // A background refresh leaves alone a list the user is working in (typing a comment, on a button).
    if (!force && container.contains(document.activeElement)) return;
    container.replaceChildren(...(cards.length ? cards : [h("p", { class: "empty" }, empty)]));
  }

  function card(d, plan, approvable) {
    const commentId = `comment-${d.id}`;
    const comment = h("textarea", { id: commentId, rows: 2, maxlength: 1024 });
    const act = async (action, button) => {
      // The comment box holds approve's comment and reject's reason; starting a rollout asks for a confirmation.
      const text = action === "execute" ? await ask(action, d) : comment.value.trim();
      if (text === null) return;
      button.disabled = true;
      try {
        await send(action, d, etagOf(d), text);
        showError(null);
        comment.value = "";
        if (action === "execute") location.hash = `#/deployments/${encodeURIComponent(d.id)}`;
        else await refresh(true);
      } catch (error) {
        showError(error);
      } finally {
        button.disabled = false;
      }
    };
    const buttons = [];
    for (const [action, label] of [["approve", "Approve"], ["reject", "Reject"], ["execute", "Start rollout"]]) {
      if (!d.allowedActions.includes(action) || (action === "execute" && approvable)) continue;
      const button = h("button", { type: "button", "data-action": action, class: ACTIONS[action].danger ? "danger" : "" }, label);
      button.addEventListener("click", () => act(action, button));
      buttons.push(button);
    }
    return h("article", { class: "card", "data-deployment": d.id, "aria-label": `${d.moduleName} ${d.moduleVersion}` },
      h("h3", {}, h("a", { href: `#/deployments/${encodeURIComponent(d.id)}` }, `${d.moduleName} ${d.moduleVersion}`), " ", badge(d.status)),
      h("dl", { class: "facts" },
        h("dt", {}, "Environment"), h("dd", {}, d.environment),
        h("dt", {}, "Digest"), h("dd", {}, shortDigest(d.digest)),
        h("dt", {}, "Targets"), h("dd", {}, describeTarget(d.spec.target)),
        h("dt", {}, "Cohort plan"), h("dd", { "data-field": "plan" }, `${plan} · ${describeStrategy(d.spec.strategy)}`),
        h("dt", {}, "Created by"), h("dd", { "data-field": "creator" }, d.createdBy, " · ", time(d.createdAt)),
        h("dt", {}, "Approvals"), h("dd", {}, `${d.approvals.valid} of ${d.approvals.required}`),
        d.description ? [h("dt", {}, "Description"), h("dd", {}, d.description)] : null),
      approvable ? h("div", { class: "field" }, h("label", { for: commentId }, "Comment (a reason is required to reject)"), comment)
        : null,
      h("div", { class: "row" }, buttons));
  }

  return { element, refresh: () => refresh(false), events: ["deployment"] };
}
