// The deployment actions, shared by the deployment page and the approvals inbox: how each is asked for (reason,
// confirmation) and sent (its body, and If-Match so that it acts on the revision the user saw, or gets 412).

import { call } from "../api.js";
import { confirmAction } from "../confirm.js";

/** How each action is asked for: label, whether it takes a reason, and whether it needs a confirmation. */
export const ACTIONS = {
  approve: { label: "Approve", reason: "optional", reasonLabel: "Comment", body: (text, d) => ({ comment: text || undefined, digest: d.digest }) },
  reject: { label: "Reject", reason: "required", danger: true },
  execute: { label: "Execute", confirm: "Start the rollout to its first cohort?" },
  pause: { label: "Pause", reason: "optional" },
  resume: { label: "Resume" },
  promote: { label: "Promote", confirm: "Open the gate and dispatch the next cohort?" },
  cancel: { label: "Cancel", reason: "optional", danger: true, confirm: "Stop the rollout where it is? Nodes keep what they run." },
  rollback: {
    label: "Roll back", reason: "required", danger: true, check: "Yes, return every node of this deployment to what it ran before",
    confirm: "Every node this deployment reached returns to what it ran before. No approval is asked.",
  },
  retry: { label: "Retry failed nodes", confirm: "Dispatch the module again to every failed node?" },
};

/** Asks for what `action` needs on `d` in the dialog: resolves to the reason ("" when it takes none), or `null` when dismissed. */
export async function ask(action, d) {
  const spec = ACTIONS[action];
  if (spec.reason === undefined && !spec.confirm) return "";
  return confirmAction({
    title: `${spec.label}: ${d.moduleName} ${d.moduleVersion}`,
    text: spec.confirm ?? "", confirmLabel: spec.label, reason: spec.reason ?? "none", reasonLabel: spec.reasonLabel,
    check: spec.check ?? null,
  });
}

/** Sends `action` on `d` with `text` as its reason or comment; `etag` (`"r<revision>"`) guards against a stale view. */
export function send(action, d, etag, text) {
  const spec = ACTIONS[action];
  const body = spec.body ? spec.body(text, d) : (text ? { reason: text } : {});
  return call("POST", `/deployments/${encodeURIComponent(d.id)}/${action}`, { body, headers: { "If-Match": etag } });
}
