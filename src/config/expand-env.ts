import { type ConfigIssue, formatPath } from "./issues.ts";

/** Which variables a config may read with `${VAR}`: the agent sets this; a local `ltctl` run does not. */
export interface VarPolicy {
  /** Variables a config may read (`lt-agent --config-env`). Absent: every variable of `env`. */
  readonly allowed?: ReadonlySet<string>;
  /**
   * Values that must never come out of an expansion: the agent's own password, tokens and the like. A
   * variable whose value holds one of them is refused, whatever its name.
   */
  readonly secretValues?: readonly string[];
}

/** What expansion needs from the caller: the pod name and the environment (never read from `process`). */
export interface ExpandContext {
  /** Replaces `{pod}` in every string; callers resolve it with {@link resolvePodName}. */
  readonly pod: string;
  /** Source of `${VAR}` and `${VAR:-default}`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Limits on the variables read. Secret variables ({@link SECRET_ENV_VARS}) are refused in any case. */
  readonly vars?: VarPolicy;
}

/**
 * The agent's and ltctl's own secrets, given by environment: never expanded into a config, allowed or not,
 * with or without a default. Names that look like secrets ({@link isSecretVarName}) are refused as well.
 */
export const SECRET_ENV_VARS: readonly string[] = [
  "NATS_PASSWORD",
  "NATS_TOKEN",
  "LT_HTTP_TOKEN",
  "NATS_CREDS_FILE",
  "NATS_NKEY_FILE",
  "NATS_TLS_KEY",
];

/** The variables an agent allows when `--config-env` is not given: those the seed's and our examples use. */
export const DEFAULT_CONFIG_ENV: readonly string[] = ["NATS_URL", "NATS_CREDS_MOUNT_PATH", "LT_DEMO_DIR"];

const SECRET_WORD = /(?:^|_)(?:PASS|PASSWD|PASSWORD|TOKEN|SECRET|SEED|NKEY|JWT|CREDS|PRIVATE_KEY|API_KEY)$/;

/** True for a variable that must never be expanded: one of {@link SECRET_ENV_VARS}, or named like a secret. */
export function isSecretVarName(name: string): boolean {
  return SECRET_ENV_VARS.includes(name) || SECRET_WORD.test(name.toUpperCase());
}

/** The fields where `${VAR}` is expanded, as their paths read in messages. */
export const VAR_FIELDS =
  "nats_url, nats_creds_file, nats_nkey_file, tls.ca_file, tls.cert_file, tls.key_file and storage.path";

/** True when the value at `path` may hold `${VAR}`: a spec's server list and files, and the storage path. */
export function takesVariables(path: readonly (string | number)[]): boolean {
  if (path.length === 2) return path[0] === "storage" && path[1] === "path";
  if (path[0] !== "load_test_specs" || typeof path[1] !== "number") return false;
  const [, , field, sub] = path;
  if (field === "nats_url") return path.length === 3 || (path.length === 4 && typeof sub === "number");
  if (field === "nats_creds_file" || field === "nats_nkey_file") return path.length === 3;
  return (
    field === "tls" && path.length === 4 && (sub === "ca_file" || sub === "cert_file" || sub === "key_file")
  );
}

/** The pod name: `POD_NAME` when set and not empty, else the host name. */
export function resolvePodName(env: Readonly<Record<string, string | undefined>>, hostname: string): string {
  const pod = env["POD_NAME"];
  return pod !== undefined && pod.trim() !== "" ? pod.trim() : hostname;
}

// `$${` is an escaped literal `${`; otherwise `${NAME}` or `${NAME:-default}` (default without `}`). Linear:
// each match consumes what it scanned.
const REF = /\$\$\{|\$\{([^}]*)\}?/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Expands `${VAR}`, `${VAR:-default}` (default when unset or empty, as in the shell) and then `{pod}` in one
 * string. `variables` false (a field that takes none) refuses every reference. Returns the new string, or the
 * problems found (each naming the variable, never its value).
 */
export function expandString(
  text: string,
  ctx: ExpandContext,
  variables = true,
): { ok: true; value: string } | { ok: false; messages: string[] } {
  const messages: string[] = [];
  const value = text.replace(REF, (match: string, body: string | undefined) => {
    if (match === "$${") return "${";
    if (!match.endsWith("}")) {
      messages.push(`unterminated variable reference (write \${NAME} or \${NAME:-default})`);
      return match;
    }
    const body2 = body ?? "";
    const sep = body2.indexOf(":-");
    const name = sep === -1 ? body2 : body2.slice(0, sep);
    if (!NAME.test(name)) {
      messages.push(`invalid variable reference (write \${NAME} or \${NAME:-default})`);
      return match;
    }
    const refused = refusal(name, ctx, variables);
    if (refused !== undefined) {
      messages.push(refused);
      return match;
    }
    const found = ctx.env[name];
    if (found !== undefined && holdsSecret(found, ctx.vars?.secretValues)) {
      messages.push(`\${${name}} is refused: its value holds one of the agent's own secrets`);
      return match;
    }
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

/** Why `${name}` may not be read here, or undefined. Checked before the value is looked at. */
function refusal(name: string, ctx: ExpandContext, variables: boolean): string | undefined {
  if (!variables) {
    return `\${${name}} is not expanded here: environment variables are read only in ${VAR_FIELDS} (write $\${ for a literal \${)`;
  }
  if (isSecretVarName(name)) {
    return `\${${name}} is refused: it names a secret (the agent's password, tokens and key files are never expanded); give the NATS under test its own credentials in nats_creds_file or nats_nkey_file`;
  }
  const allowed = ctx.vars?.allowed;
  if (allowed !== undefined && !allowed.has(name)) {
    return `\${${name}} is refused: not in the agent's allow-list (--config-env, env LT_CONFIG_ENV: ${[...allowed].join(",") || "none"})`;
  }
  return undefined;
}

function holdsSecret(value: string, secrets: readonly string[] | undefined): boolean {
  return secrets?.some((s) => s !== "" && value.includes(s)) ?? false;
}

/**
 * Expands every string value of a parsed JSON document (keys are left alone); `${VAR}` only in the fields of
 * {@link takesVariables}. All problems are collected, each with its JSON path, e.g.
 * `load_test_specs[0].nats_url: environment variable NATS_URL is not set (...)`.
 */
export function expandDocument(raw: unknown, ctx: ExpandContext): { value: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === "string") {
      const r = expandString(node, ctx, takesVariables(path));
      if (r.ok) return r.value;
      for (const m of r.messages) issues.push({ path: formatPath(path), message: m });
      return node;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(node)) {
        // defineProperty: an own key "__proto__" (JSON.parse makes one) stays a key instead of a prototype.
        Object.defineProperty(out, k, {
          value: walk(val, [...path, k]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    return node;
  };
  const value = walk(raw, []);
  return { value, issues };
}

/** The problems of every `${VAR}` reference a pusher can judge without the agents' environment. */
export function referenceIssues(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  // Every variable reads as set and empty: what is left are the references refused whatever the agents have.
  const everySetEmpty = new Proxy<Record<string, string>>({}, { get: () => "" });
  const pusher: ExpandContext = { pod: "pod", env: everySetEmpty };
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (typeof node === "string") {
      const r = expandString(node, pusher, takesVariables(path));
      if (!r.ok) for (const m of r.messages) issues.push({ path: formatPath(path), message: m });
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        walk(item, [...path, i]);
      });
    } else if (node !== null && typeof node === "object") {
      for (const [k, val] of Object.entries(node)) walk(val, [...path, k]);
    }
  };
  walk(raw, []);
  return issues;
}
