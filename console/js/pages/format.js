// Describing a deployment's parts in words, shared by the inbox and the deployment page.

/** `regions us-east, eu-west · labels tier=edge · 3 node ids`. */
export function describeTarget(target = {}) {
  const parts = [];
  if (target.nodeIds?.length) parts.push(`nodes ${target.nodeIds.join(", ")}`);
  if (target.regions?.length) parts.push(`regions ${target.regions.join(", ")}`);
  if (target.zones?.length) parts.push(`zones ${target.zones.join(", ")}`);
  const labels = Object.entries(target.labels ?? {});
  if (labels.length) parts.push(`labels ${labels.map(([k, v]) => `${k}=${v}`).join(", ")}`);
  return parts.length ? parts.join(" · ") : "every node of the environment";
}

/** `canary 10%, 50% (manual pause between cohorts)`. */
export function describeStrategy(strategy = {}) {
  let text = strategy.type ?? "?";
  if (strategy.steps) text += ` ${strategy.steps.map((s) => `${s}%`).join(", ")}`;
  if (strategy.batchSize) text += `, batches of ${strategy.batchSize}`;
  if (strategy.batchPercent) text += `, batches of ${strategy.batchPercent}%`;
  if (strategy.waves) text += `, waves by ${strategy.waves}`;
  if (strategy.pause) text += ` (pause: ${strategy.pause})`;
  return text;
}

/** Cohort sizes from the deployment's node rows: `[3, 7]` → "2 cohorts: 3, 7 nodes". */
export function describeCohorts(nodes) {
  const sizes = cohortSizes(nodes);
  if (!sizes.length) return "no target nodes";
  return `${sizes.length} cohort${sizes.length === 1 ? "" : "s"}: ${sizes.join(", ")} node${nodes.length === 1 ? "" : "s"}`;
}

export function cohortSizes(nodes) {
  const sizes = [];
  for (const node of nodes) sizes[node.cohort - 1] = (sizes[node.cohort - 1] ?? 0) + 1;
  return Array.from(sizes, (size) => size ?? 0);
}
