// npm run bench: every scenario script in sequence (each starts its own nats-server), their outputs one after
// another on stdout, then the wall time. `--json` passes through (one JSON document per script, in an array).
// Budget: under 10 minutes on 2 cores.
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const SCRIPTS = ["engine", "latency", "scale", "control", "peer", "workloads"] as const;
const json = process.argv.includes("--json");
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
const here = fileURLToPath(new URL(".", import.meta.url));

function runScript(name: string): Promise<{ code: number; out: string; seconds: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["--import", "tsx", `${here}${name}.ts`, ...(json ? ["--json"] : [])], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.on("close", (code) => resolve({ code: code ?? 1, out, seconds: (performance.now() - t0) / 1000 }));
  });
}

const t0 = performance.now();
const load0 = loadavg()[0]!.toFixed(2);
const docs: unknown[] = [];
let failed = 0;
for (const name of SCRIPTS) {
  if (only && !only.includes(name)) continue;
  process.stderr.write(`== bench:${name}\n`);
  const r = await runScript(name);
  if (r.code !== 0) failed++;
  if (json) {
    try {
      docs.push(JSON.parse(r.out));
    } catch {
      docs.push({ bench: name, error: `exit ${r.code}`, output: r.out });
    }
  } else {
    process.stdout.write(`${r.out}\n(bench:${name}: ${r.seconds.toFixed(0)} s, exit ${r.code})\n\n`);
  }
}
const total = (performance.now() - t0) / 1000;
if (json) process.stdout.write(`${JSON.stringify(docs, null, 2)}\n`);
else
  process.stdout.write(
    `all benches: ${total.toFixed(0)} s, load average ${load0} at start, ${loadavg()[0]!.toFixed(2)} at end${failed ? `, ${failed} failed` : ""}\n`,
  );
process.exitCode = failed ? 1 : 0;
