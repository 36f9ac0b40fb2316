// One deployment: live progress (cohorts, per-node states with messages, the timeline) and the actions the
// server says the signed-in user may take (`allowedActions`).

import { get, getAll } from "../api.js";
import { badge, h, heading, shortDigest, table, time } from "../dom.js";
import { ACTIONS, ask, send } from "./actions.js";
import { describeCohorts, describeStrategy, describeTarget } from "./format.js";

const STATES = ["Pending", "Updating", "Succeeded", "Failed", "TimedOut", "Offline", "Skipped", "RolledBack"];

export function create({ id, showError }) {
  const summary = h("div", { id: "deployment-summary" });
  const actions = h("div", { class: "row actions", id: "deployment-actions", role: "group", "aria-label": "Actions" });
  const progress = h("div", { id: "deployment-progress", "aria-live": "polite" });
  const cohorts = h("div", { id: "deployment-cohorts" });
  const nodes = h("div", { id: "deployment-nodes" });
  const timeline = h("div", { id: "deployment-timeline" });
  const title = heading("Deployment");
  const element = h("section", { "data-deployment": id }, title, summary, actions, progress, cohorts, nodes, timeline);
  let current = null;

  async function refresh() {
    const [{ data: d, etag }, { items: rows, complete }] = await Promise.all([
      get(`/deployments/${encodeURIComponent(id)}`),
      getAll(`/deployments/${encodeURIComponent(id)}/nodes`, "nodes"),
    ]);
    current = { d, etag };
    title.textContent = `${d.moduleName} ${d.moduleVersion}`;
    summary.replaceChildren(h("dl", { class: "facts" },
      h("dt", {}, "Status"), h("dd", { id: "deployment-status" }, badge(d.status)),
      h("dt", {}, "Environment"), h("dd", {}, d.environment),
      h("dt", {}, "Digest"), h("dd", {}, shortDigest(d.digest)),
      h("dt", {}, "Targets"), h("dd", {}, describeTarget(d.spec.target)),
      h("dt", {}, "Strategy"), h("dd", {}, `${describeStrategy(d.spec.strategy)} · ${describeCohorts(rows)}`),
      h("dt", {}, "Created by"), h("dd", {}, d.createdBy, " · ", time(d.createdAt)),
      h("dt", {}, "Approvals"), h("dd", {}, `${d.approvals.valid} of ${d.approvals.required}`,
        d.approvals.received.map((a) => h("div", { class: "muted" }, `${a.approver}${a.comment ? `: “${a.comment}”` : ""}`))),
      d.reason ? [h("dt", {}, "Reason"), h("dd", { id: "deployment-reason" }, d.reason)] : null));
    renderActions(d);
    const p = d.progress ?? { percent: 0, total: rows.length, counts: {} };
    const gate = d.rollout.gate === "none" ? "" : ` · waiting at a ${d.rollout.gate} gate`;
    progress.replaceChildren(
      h("h2", {}, "Progress"),
      h("p", {}, `Cohort ${d.rollout.currentStep} of ${d.rollout.stepCount}${gate} · ${p.percent}% of ${p.total} nodes converged`),
      h("progress", { max: 100, value: p.percent, "aria-label": "Nodes converged, percent" }),
      h("ul", { class: "counts" }, STATES.filter((s) => p.counts[s]).map((s) => h("li", {}, badge(s), ` ${p.counts[s]}`))));
    const byCohort = [];
    for (const row of rows) (byCohort[row.cohort - 1] ??= []).push(row);
    cohorts.replaceChildren(table("Cohorts", ["Cohort", "Nodes", ...STATES],
      Array.from(byCohort, (list, i) => [String(i + 1), String(list?.length ?? 0),
        ...STATES.map((s) => String((list ?? []).filter((n) => n.state === s).length))])));
    nodes.replaceChildren(table(complete ? "Nodes" : `Nodes (the first ${rows.length}; the counts above cover all)`,
      ["Node", "Cohort", "State", "Message", "Updated"],
      rows.map((n) => [n.nodeId, String(n.cohort), badge(n.state), n.message ?? "", time(n.updatedAt)])));
    timeline.replaceChildren(h("h2", {}, "Timeline"), h("ol", { class: "timeline", reversed: true },
      [...(d.timeline ?? [])].reverse().map((e) =>
        h("li", {}, time(e.at), " ", h("strong", {}, e.type), ` by ${e.actor}`, e.detail ? ` — ${e.detail}` : ""))));
  }

  function renderActions(d) {
    // The same actions keep the same buttons: a refresh never moves the focus or a button about to be pressed.
    if (actions.dataset.for === d.allowedActions.join()) return;
    actions.dataset.for = d.allowedActions.join();
    actions.replaceChildren(...d.allowedActions.filter((a) => ACTIONS[a]).map((action) => {
      const spec = ACTIONS[action];
      const button = h("button", { type: "button", "data-action": action, class: spec.danger ? "danger" : "" }, spec.label);
      button.addEventListener("click", () => run(action, button));
      return button;
    }));
    if (!d.allowedActions.length) actions.append(h("p", { class: "muted" }, "No action is open to you in this state."));
  }

  async function run(action, button) {
    const seen = current; // act on the revision the user looked at, not one a refresh brought in meanwhile
    const text = await ask(action, seen.d);
    if (text === null) return;
    button.disabled = true;
    try {
      // If-Match: act on the revision shown, or get 412 and see the deployment as it is now.
      await send(action, seen.d, seen.etag, text);
      showError(null);
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
      await refresh().catch(showError);
    }
  }

  const concerns = (event) => event.subject === id || event.data?.deploymentId === id;
  return { element, refresh, events: ["deployment"], concerns };
}
