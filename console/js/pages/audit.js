// The audit log (admins only: the server answers 403 to anyone else, and the banner shows it).

import { get } from "../api.js";
import { badge, field, h, heading, select, table, time } from "../dom.js";

export function create() {
  const actor = field("filter-actor", "Actor", h("input", { type: "text", maxlength: 256 }));
  const action = field("filter-action", "Action (a trailing * matches a prefix)", h("input", { type: "text", maxlength: 256 }));
  const target = field("filter-target", "Target", h("input", { type: "text", maxlength: 256 }));
  const outcome = field("filter-outcome", "Outcome",
    select([["", "Any"], ...["success", "denied", "failure"].map((s) => [s, s])], ""));
  const results = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "filters" }, actor, action, target, outcome, h("button", { type: "submit" }, "Filter"));
  const element = h("section", {}, heading("Audit log"), form, results);

  async function refresh() {
    const { data } = await get("/audit-events", {
      actor: actor.control.value.trim(), action: action.control.value.trim(), target: target.control.value.trim(),
      outcome: outcome.control.value, limit: 200,
    });
    results.replaceChildren(table("Audit events, newest first", ["Time", "Actor", "Role", "Action", "Target", "Outcome"],
      data.events.map((e) => [time(e.occurredAt), e.actor, e.role ?? "—", h("code", {}, e.action), e.target, badge(e.outcome)]),
      { id: "audit-table" }));
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
  return { element, refresh, events: ["deployment", "node"] };
}
