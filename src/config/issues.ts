import type * as v from "valibot";

/** One problem in a config: where (`load_test_specs[0].consumers.ack_policy`, `$` for the whole document) and what. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** One issue a line: `path: message`. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join("\n");
}

/** Thrown by callers that want an exception rather than a result; carries every issue. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly issues: ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super(`invalid config:\n${formatIssues(issues)}`, options);
    this.issues = [...issues];
  }
}

/** A JSON path as a list of keys (strings for object keys, numbers for array indexes). */
export type PathKeys = readonly (string | number)[];

/** `["load_test_specs", 0, "nats_url"]` -> `load_test_specs[0].nats_url`; `[]` -> `$`. */
export function formatPath(keys: PathKeys): string {
  let out = "";
  for (const k of keys) {
    if (typeof k === "number") out += `[${k}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) out += out === "" ? k : `.${k}`;
    else out += `[${JSON.stringify(k)}]`;
  }
  return out === "" ? "$" : out;
}

/** Converts valibot issues to ours: a readable path and `expected X, got Y` messages. */
export function fromValibot(issues: readonly v.BaseIssue<unknown>[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    // Unknown keys are reported by our own scan (valibot stops at the first one per object).
    if (issue.type === "strict_object" && issue.expected === "never") continue;
    const keys: (string | number)[] = [];
    for (const item of issue.path ?? []) {
      const key = item.key;
      keys.push(typeof key === "number" ? key : String(key));
    }
    out.push({ path: formatPath(keys), message: capped(messageOf(issue)) });
  }
  return out;
}

/** Messages that echo a value (`got "..."`) stay readable: the value is cut, its length is in the limit issue. */
const MAX_MESSAGE = 300;

function capped(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE)}…`;
}

function messageOf(issue: v.BaseIssue<unknown>): string {
  if (issue.kind === "schema" && (issue.type === "strict_object" || issue.type === "object")) {
    if (issue.received === "undefined") return "required field is missing";
  }
  // Messages set in the schema are already written for people; valibot's defaults start with "Invalid".
  if (!issue.message.startsWith("Invalid ")) return issue.message;
  const expected = (issue.expected ?? "").replace(/^\((.*)\)$/, "$1");
  return expected === "" ? `invalid value ${issue.received}` : `expected ${expected}, got ${issue.received}`;
}

/** Levenshtein distance, for "did you mean" hints on unknown keys. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] as number;
}
