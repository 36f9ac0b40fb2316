// Recent deployments, newest first, filtered by status.

import { get } from "../api.js";
import { badge, field, h, heading, select, table, time } from "../dom.js";

const STATUSES = ["PendingApproval", "Approved", "InProgress", "Paused", "Completed", "Failed", "RolledBack", "Cancelled", "Rejected"];

export function create() {
  const status = field("filter-status", "Status", select([["", "Any"], ...STATUSES.map((s) => [s, s])], ""));
  const results = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "filters" }, status, h("button", { type: "submit" }, "Filter"));
  const element = h("section", {}, heading("Deployments"), form, results);

  async function refresh() {
    const { data } = await get("/deployments", { status: status.control.value, limit: 100 });
    results.replaceChildren(table("Deployments, newest first", ["Module", "Environment", "Status", "Created by", "Created", "Actions open"],
      data.deployments.map((d) => [
        h("a", { href: `#/deployments/${encodeURIComponent(d.id)}` }, `${d.moduleName} ${d.moduleVersion}`), d.environment, badge(d.status), d.createdBy,
        time(d.createdAt), d.allowedActions.join(", ") || "—",
      ])));
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
  return { element, refresh, events: ["deployment"] };
}
