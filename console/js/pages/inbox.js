// The approvals inbox: deployments the signed-in user may approve (the server's `allowedActions` says which),
// and approved ones the user may start.

import { get, post } from "../api.js";
import { badge, h, heading, shortDigest, time } from "../dom.js";
import { describeCohorts, describeStrategy, describeTarget } from "./format.js";

export function create({ showError }) {
  const pending = h("div", { class: "cards", "aria-live": "polite", id: "inbox-pending" });
  const ready = h("div", { class: "cards", "aria-live": "polite", id: "inbox-ready" });
  const element = h("section", {},
    heading("Approvals"),
    h("h2", {}, "Waiting for your approval"), pending,
    h("h2", {}, "Approved, ready to start"), ready);

  /** `force` after the user's own action: then the cards are replaced even where the focus is. */
  async function refresh(force = false) {
    const [waiting, approved] = await Promise.all([
      get("/deployments", { status: "PendingApproval", limit: 100 }),
      get("/deployments", { status: "Approved", limit: 100 }),
    ]);
    const mine = waiting.data.deployments.filter((d) => d.allowedActions.includes("approve"));
    const startable = approved.data.deployments.filter((d) => d.allowedActions.includes("execute"));
    const cohorts = await Promise.all([...mine, ...startable].map((d) =>
      get(`/deployments/${d.id}/nodes`, { limit: 200 }).then((r) => r.data.nodes).catch(() => null)));
    const plan = (i) => (cohorts[i] ? describeCohorts(cohorts[i]) : "unknown");
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
      button.disabled = true;
      try {
        const text = comment.value.trim();
        if (action === "approve") await post(`/deployments/${d.id}/approve`, { comment: text || undefined, digest: d.digest });
        else if (action === "reject") await post(`/deployments/${d.id}/reject`, { reason: text });
        else await post(`/deployments/${d.id}/execute`, {});
        showError(null);
        comment.value = "";
        if (action === "execute") location.hash = `#/deployments/${d.id}`;
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
      const button = h("button", { type: "button", "data-action": action, class: action === "reject" ? "danger" : "" }, label);
      button.addEventListener("click", () => act(action, button));
      buttons.push(button);
    }
    return h("article", { class: "card", "data-deployment": d.id, "aria-label": `${d.moduleName} ${d.moduleVersion}` },
      h("h3", {}, h("a", { href: `#/deployments/${d.id}` }, `${d.moduleName} ${d.moduleVersion}`), " ", badge(d.status)),
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
