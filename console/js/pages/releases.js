// Releases: what each selector's nodes run, and how far they converged.

import { get } from "../api.js";
import { badge, field, h, heading, select, table, time } from "../dom.js";

export function create() {
  const status = field("filter-release-status", "Status", select([["", "Any"], ["Active", "Active"], ["Retired", "Retired"]], "Active"));
  const results = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "filters" }, status, h("button", { type: "submit" }, "Filter"));
  const element = h("section", {}, heading("Releases"), form, results);

  async function refresh() {
    const { data } = await get("/releases", { status: status.control.value, limit: 200 });
    results.replaceChildren(table("Releases", ["Release", "Environment", "Module", "Version", "Status", "Priority", "Deployment", "Updated"],
      data.releases.map((r) => [
        h("code", {}, r.id), r.environment, r.moduleName, r.version ?? "—", badge(r.status), String(r.priority),
        r.deploymentId ? h("a", { href: `#/deployments/${encodeURIComponent(r.deploymentId)}` }, "open") : "—", time(r.updatedAt),
      ])));
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
  return { element, refresh, events: ["deployment"] };
}
