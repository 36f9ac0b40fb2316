// Nodes with health and drift, filtered on the server.

import { get } from "../api.js";
import { badge, field, h, heading, select, table, time } from "../dom.js";

export function create() {
  const environment = field("filter-environment", "Environment", h("input", { type: "text", maxlength: 64 }));
  const region = field("filter-region", "Region", h("input", { type: "text", maxlength: 64 }));
  const health = field("filter-health", "Health",
    select([["", "Any"], ...["Healthy", "Degraded", "Unhealthy", "Offline"].map((s) => [s, s])], ""));
  const drifted = field("filter-drifted", "Drift", select([["", "Any"], ["true", "Drifted"], ["false", "In sync"]], ""));
  const enabled = field("filter-enabled", "Enabled", select([["", "Any"], ["true", "Enabled"], ["false", "Disabled"]], ""));
  const results = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "filters" }, environment, region, health, drifted, enabled, h("button", { type: "submit" }, "Filter"));
  const element = h("section", {}, heading("Nodes"), form, results);

  async function refresh() {
    const { data } = await get("/nodes", {
      environment: environment.control.value.trim(), region: region.control.value.trim(), health: health.control.value,
      drifted: drifted.control.value, enabled: enabled.control.value, limit: 200,
    });
    results.replaceChildren(table(`Nodes (${data.nodes.length}${data.nextCursor ? "+" : ""})`,
      ["Node", "Environment", "Region / zone", "Health", "Drift", "Enabled", "Admission", "Last heartbeat"],
      data.nodes.map((n) => [
        n.nodeId, n.environment, [n.region, n.zone].filter(Boolean).join(" / "), badge(n.health),
        n.drifted ? badge("Drifted") : "in sync", n.isEnabled ? "yes" : "no", n.admission, time(n.lastHeartbeat),
      ])));
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
  return { element, refresh, events: ["node"] };
}
