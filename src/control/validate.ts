// Validation on the pushing side. The pusher cannot know each pod's environment, so a string holding a
// `${VAR}` reference is checked by each agent (with its own env) when it loads the run, not here; everything
// else is checked here, exactly as an agent would (`loadConfig`), so a push never replaces a good config with
// one that every pod would reject. See docs/control-plane.md, "Push validation".
import { createHash } from "node:crypto";
import { type ConfigIssue, formatPath, loadConfig, referenceIssues } from "../config/index.ts";

/** Pod name used to expand `{pod}` while validating on the pushing side. */
export const VALIDATION_POD = "validation-pod";

const VAR_REF = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/;

/**
 * Issues of a raw config as a push sees them: every `${VAR}` reference refused whatever the agents' environment
 * (in a field that takes no variables, or naming a secret), and every issue `loadConfig` finds, except those at
 * (or under) a string that contains a bare `${VAR}` reference (`${VAR:-default}` is expanded with its default
 * and checked). Whether a variable is in an agent's allow-list is each agent's to say.
 */
export function validateForPush(raw: unknown): ConfigIssue[] {
  const varPaths = new Set<string>();
  collectVarPaths(raw, [], varPaths);
  const refused = referenceIssues(raw);
  // Unset variables resolve to nothing here; their issues are dropped below.
  const r = loadConfig(raw, { pod: VALIDATION_POD, env: {} });
  if (r.ok) return refused;
  const seen = new Set(refused.map((i) => `${i.path}\u0000${i.message}`));
  return [
    ...refused,
    ...r.issues.filter((i) => !varPaths.has(i.path) && !seen.has(`${i.path}\u0000${i.message}`)),
  ];
}

function collectVarPaths(node: unknown, path: (string | number)[], out: Set<string>): void {
  if (typeof node === "string") {
    if (VAR_REF.test(node.replaceAll("$${", ""))) out.add(formatPath(path));
    return;
  }
  if (Array.isArray(node)) {
    node.forEach((item, i) => {
      collectVarPaths(item, [...path, i], out);
    });
    return;
  }
  if (node !== null && typeof node === "object") {
    for (const [k, val] of Object.entries(node)) collectVarPaths(val, [...path, k], out);
  }
}

/** sha256 of the config's canonical JSON (keys sorted): equal configs have equal hashes. */
export function configHash(raw: unknown): string {
  return createHash("sha256").update(canonicalJson(raw)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
