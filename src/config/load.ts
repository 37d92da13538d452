import * as v from "valibot";
import { boundsIssues } from "./bounds.ts";
import { type ExpandContext, expandDocument } from "./expand-env.ts";
import { buildPlan, type Plan } from "./expand-plan.ts";
import { type ConfigIssue, formatPath, fromValibot } from "./issues.ts";
import { locateJsonError } from "./json-error.ts";
import { checkConfig } from "./rules.ts";
import { type RootConfig, RootConfigSchema } from "./schema.ts";
import { validateThresholds } from "./thresholds.ts";
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
  const tooDeep = deeperThan(raw, MAX_DEPTH);
  if (tooDeep !== undefined) {
    return {
      ok: false,
      issues: [
        {
          path: tooDeep,
          message: `nested deeper than ${MAX_DEPTH} levels (limit); a config is about 5 deep`,
        },
      ],
    };
  }
  const tooLong = boundsIssues(raw);
  if (tooLong.length > 0) return { ok: false, issues: tooLong };
  const expanded = expandDocument(raw, ctx);
  const parsed = v.safeParse(RootConfigSchema, expanded.value);
  const issues = [...expanded.issues, ...unknownKeys(RootConfigSchema, expanded.value)];
  if (!parsed.success) issues.push(...fromValibot(parsed.issues));
  else issues.push(...validateThresholds(parsed.output.thresholds));
  if (!parsed.success || issues.length > 0) return { ok: false, issues: atLeastOne(dedupe(issues)) };
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

/** A refused config always says why: never "invalid, 0 problems" (a schema issue our filters dropped). */
function atLeastOne(issues: ConfigIssue[]): ConfigIssue[] {
  if (issues.length > 0) return issues;
  return [
    { path: "$", message: "the config does not match the schema (no detail available); run ltctl validate" },
  ];
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

/** Nesting deeper than this is rejected before the recursive walks (expansion, schema) could overflow the stack. */
const MAX_DEPTH = 64;

/** The path of the first value nested deeper than `max` levels, found without recursion; else undefined. */
function deeperThan(raw: unknown, max: number): string | undefined {
  const stack: { node: unknown; path: (string | number)[] }[] = [{ node: raw, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown; path: (string | number)[] };
    if (node === null || typeof node !== "object") continue;
    if (path.length >= max) return formatPath(path);
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        stack.push({ node: item, path: [...path, i] });
      });
    } else for (const [k, val] of Object.entries(node)) stack.push({ node: val, path: [...path, k] });
  }
  return undefined;
}
