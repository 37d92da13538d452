// JSON-lines logger of the agent: one object a line on the given stream (stderr), with level, msg and pod.
// Fields whose names look like secrets are masked and URL passwords in values hidden (control's
// `redactSecrets`, the one redaction of the project), so a caller's slip cannot print a password or token.
import { isSecretKey, redactSecrets, redactUrl } from "../control/index.ts";
import type { Logger } from "../engine/index.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface AgentLogger extends Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): AgentLogger;
}

export function jsonLogger(
  write: (line: string) => void,
  base: Record<string, unknown>,
  now: () => number = Date.now,
): AgentLogger {
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    const rec: Record<string, unknown> = {
      ts: new Date(now()).toISOString(),
      level,
      msg: redactUrl(msg),
      ...base,
    };
    for (const [k, v] of Object.entries(fields ?? {}))
      rec[k] = isSecretKey(k) ? "[redacted]" : redactSecrets(errorValue(v));
    write(`${JSON.stringify(rec)}\n`);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => jsonLogger(write, { ...base, ...fields }, now),
  };
}

function errorValue(v: unknown): unknown {
  if (v instanceof Error) return v.message;
  return v;
}
