import { type ConfigIssue, formatPath } from "./issues.ts";

/** What expansion needs from the caller: the pod name and the environment (never read from `process`). */
export interface ExpandContext {
  /** Replaces `{pod}` in every string; callers resolve it with {@link resolvePodName}. */
  readonly pod: string;
  /** Source of `${VAR}` and `${VAR:-default}`. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The pod name: `POD_NAME` when set and not empty, else the host name. */
export function resolvePodName(env: Readonly<Record<string, string | undefined>>, hostname: string): string {
  const pod = env["POD_NAME"];
  return pod !== undefined && pod.trim() !== "" ? pod.trim() : hostname;
}

// `$${` is an escaped literal `${`; otherwise `${NAME}` or `${NAME:-default}` (default without `}`).
const REF = /\$\$\{|\$\{([^}]*)\}?/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Expands `${VAR}`, `${VAR:-default}` (default when unset or empty, as in the shell) and then `{pod}` in one
 * string. Returns the new string, or the problems found (each naming the variable).
 */
export function expandString(
  text: string,
  ctx: ExpandContext,
): { ok: true; value: string } | { ok: false; messages: string[] } {
  const messages: string[] = [];
  const value = text.replace(REF, (match: string, body: string | undefined) => {
    if (match === "$${") return "${";
    if (!match.endsWith("}")) {
      messages.push(`unterminated variable reference "${match}" (write \${NAME} or \${NAME:-default})`);
      return match;
    }
    const body2 = body ?? "";
    const sep = body2.indexOf(":-");
    const name = sep === -1 ? body2 : body2.slice(0, sep);
    if (!NAME.test(name)) {
      messages.push(`invalid variable reference "${match}" (write \${NAME} or \${NAME:-default})`);
      return match;
    }
    const found = ctx.env[name];
    if (sep !== -1) return found === undefined || found === "" ? body2.slice(sep + 2) : found;
    if (found === undefined) {
      messages.push(`environment variable ${name} is not set (use \${${name}:-default} for a default)`);
      return match;
    }
    return found;
  });
  if (messages.length > 0) return { ok: false, messages };
  if (value.includes("{pod}")) {
    if (ctx.pod === "") return { ok: false, messages: ["{pod} is used but the pod name is empty"] };
    return { ok: true, value: value.replaceAll("{pod}", ctx.pod) };
  }
  return { ok: true, value };
}

/**
 * Expands every string value of a parsed JSON document (keys are left alone). All problems are collected, each
 * with its JSON path, e.g. `load_test_specs[0].nats_url: environment variable NATS_URL is not set (...)`.
 */
export function expandDocument(raw: unknown, ctx: ExpandContext): { value: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === "string") {
      const r = expandString(node, ctx);
      if (r.ok) return r.value;
      for (const m of r.messages) issues.push({ path: formatPath(path), message: m });
      return node;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(node)) out[k] = walk(val, [...path, k]);
      return out;
    }
    return node;
  };
  const value = walk(raw, []);
  return { value, issues };
}
