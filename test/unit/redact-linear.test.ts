// Redaction runs on every log line, HTTP answer, WebSocket message and `ltctl` output, so it must be linear in
// its input: one long string (a spec name, a run id) must never stall an agent. Each redaction path gets 1 MB
// of adversarial text in a child process (a quadratic regex would block the test's own event loop, and a
// timer could not fire); the child is killed when it overruns, so the old code fails instead of hanging.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";

/** Generous: linear code does 1 MB in a few ms; the quadratic regex took 1.9 s for 20 kB, minutes for 1 MB. */
const BOUND_MS = 2_000;
/** The whole child (node start-up, tsx, every input) is killed after this. */
const CHILD_BUDGET_MS = 60_000;

const CHILD = `
import { redactSecrets, redactUrl, isSecretKey } from "./src/control/index.ts";
import { jsonLogger } from "./src/agent/log.ts";
const MB = 1024 * 1024;
const fill = (unit) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
const inputs = {
  "letters, no scheme": fill("a"),
  "colons": fill("a:"),
  "schemes, no @": fill("a://"),
  "scheme then letters": "nats://" + fill("u"),
  "scheme then colons": "nats://" + fill("u:"),
  "at signs": fill("@"),
  "scheme then at signs": "nats://" + fill("@"),
  "url soup": fill("x://y@"),
  "slashes": fill(":/"),
  "underscores (secret-key scan)": fill("_"),
};
const paths = {
  redactUrl: (s) => redactUrl(s),
  "redactSecrets value": (s) => redactSecrets({ name: s, list: [s] }),
  "redactSecrets key": (s) => redactSecrets({ [s]: "v" }),
  isSecretKey: (s) => isSecretKey(s + "Password"),
  "agent log line": (s) => jsonLogger(() => {}, { pod: "p" }).info(s, { run_id: s, [s]: 1 }),
};
for (const [path, f] of Object.entries(paths)) {
  for (const [what, s] of Object.entries(inputs)) {
    const t0 = performance.now();
    f(s);
    process.stdout.write(JSON.stringify({ path, what, ms: performance.now() - t0 }) + "\\n");
  }
}
`;

describe("redact - linear time", () => {
  it("redact - 1 MB of adversarial text passes every redaction path in bounded time", async () => {
    const out = await new Promise<string>((resolve) => {
      const child = execFile(
        process.execPath,
        ["--import", "tsx", "--input-type=module", "-e", CHILD],
        { cwd: new URL("../../", import.meta.url).pathname, timeout: CHILD_BUDGET_MS, killSignal: "SIGKILL" },
        (_err, stdout) => resolve(stdout),
      );
      child.stdin?.end();
    });
    const rows = out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { path: string; what: string; ms: number });
    // 5 paths x 10 inputs: a missing row means the child was killed while that input was still running.
    assert.equal(rows.length, 50, `only ${rows.length} of 50 finished within ${CHILD_BUDGET_MS} ms:\n${out}`);
    for (const r of rows) assert.ok(r.ms < BOUND_MS, `${r.path} on ${r.what}: ${Math.round(r.ms)} ms`);
  });
});
