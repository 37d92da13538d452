import * as v from "valibot";
import { type ExpandContext, expandDocument } from "./expand-env.ts";
import { buildPlan, type Plan } from "./expand-plan.ts";
import { type ConfigIssue, fromValibot } from "./issues.ts";
import { locateJsonError } from "./json-error.ts";
import { checkConfig } from "./rules.ts";
import { type RootConfig, RootConfigSchema } from "./schema.ts";
import { unknownKeys } from "./unknown-keys.ts";

/** The outcome of loading a config: everything needed to run it, or every problem at once. */
export type LoadResult =
  | { ok: true; config: RootConfig; plan: Plan; warnings: string[] }
  | { ok: false; issues: ConfigIssue[] };

/**
 * Expands `${VAR}`, `${VAR:-default}` and `{pod}` in every string of a parsed JSON document, validates it,
 * checks the cross-field rules and builds the plan. Never throws for a bad config; never reads `process`.
 */
export function loadConfig(raw: unknown, ctx: ExpandContext): LoadResult {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    const got = raw === null ? "null" : Array.isArray(raw) ? "an array" : typeof raw;
    return {
      ok: false,
      issues: [{ path: "$", message: `expected a JSON object with load_test_specs, got ${got}` }],
    };
  }
  const expanded = expandDocument(raw, ctx);
  const parsed = v.safeParse(RootConfigSchema, expanded.value);
  const issues = [...expanded.issues, ...unknownKeys(RootConfigSchema, expanded.value)];
  if (!parsed.success) issues.push(...fromValibot(parsed.issues));
  if (!parsed.success || issues.length > 0) return { ok: false, issues: dedupe(issues) };
  const rules = checkConfig(parsed.output);
  if (rules.issues.length > 0) return { ok: false, issues: rules.issues };
  const { plan, warnings } = buildPlan(parsed.output);
  return { ok: true, config: parsed.output, plan, warnings: [...rules.warnings, ...warnings] };
}

/** Like {@link loadConfig} from JSON text; a syntax error is an issue at `$` with its line and column. */
export function parseConfigText(text: string, ctx: ExpandContext): LoadResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, issues: [{ path: "$", message: jsonErrorMessage(text, e) }] };
  }
  return loadConfig(raw, ctx);
}

function jsonErrorMessage(text: string, e: unknown): string {
  const where = locateJsonError(text);
  if (where === undefined) return `invalid JSON: ${e instanceof Error ? e.message : String(e)}`;
  return `invalid JSON at line ${where.line}, column ${where.column}: ${where.reason}`;
}

/** Issues from the expansion and the schema can name the same place; keep each (path, message) once. */
function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
