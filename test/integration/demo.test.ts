// `ltctl demo` end to end with the built binary: its own nats-server, three agents, the report, and no process
// left behind afterwards (also after Ctrl-C), plus the message a machine without nats-server gets.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { demoProcessAlive, processesMentioning } from "../harness/index.ts";

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** Runs the built ltctl; `onOut` sees stdout as it grows and may signal the process. */
function ltctl(
  args: string[],
  opts: { env?: Record<string, string | undefined>; onOut?: (out: string, kill: () => void) => void } = {},
): Promise<Result> {
  return new Promise((resolve) => {
    const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
    for (const [k, v] of Object.entries(opts.env ?? {})) if (v === undefined) delete env[k];
    const p = spawn(process.execPath, ["bin/ltctl", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => p.kill("SIGKILL"), 55_000);
    p.stdout.on("data", (b) => {
      out += b;
      opts.onOut?.(out, () => p.kill("SIGINT"));
    });
    p.stderr.on("data", (b) => {
      err += b;
    });
    p.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    });
  });
}

const num = (s: string | undefined) => Number((s ?? "").replaceAll(",", ""));

test("ltctl demo - runs three agents on its own nats-server to the cluster report, exits 0, leaves no process", {
  timeout: 60_000,
}, async () => {
  const r = await ltctl(["demo", "--duration", "6"], {
    env: { NATS_URL: undefined, LT_PREFIX: undefined, FORCE_COLOR: undefined },
  });
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  assert.match(r.out, /local nats-server .*with JetStream \(pid \d+\)/);
  assert.match(r.out, /demo-publish \(pid \d+\), demo-consume \(pid \d+\), demo-both \(pid \d+\)/);
  assert.match(r.out, /dashboard\s+http:\/\/127\.0\.0\.1:\d+\//);
  assert.match(r.out, /pushed the config over NATS: run \S+/);
  assert.match(r.out, /Cluster-wide report/);
  const totals = /^\s+cluster\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)/m.exec(r.out);
  assert.ok(totals, `a cluster row in the totals:\n${r.out}`);
  const [, published, , consumed, lost] = totals;
  assert.ok(num(published) > 0, `published ${published}`);
  assert.ok(num(consumed) > 0, `consumed ${consumed}`);
  assert.equal(num(lost), 0);
  for (const pod of ["demo-publish", "demo-consume", "demo-both"])
    assert.match(r.out, new RegExp(`^\\s+${pod}\\s+[\\d,]+`, "m"));
  assert.match(r.out, /What next/);
  assert.match(r.out, /stopped 3 agents and the nats-server/);

  const pids = [...r.out.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
  assert.equal(pids.length, 4, "the server and three agents");
  for (const pid of pids) assert.equal(demoProcessAlive(pid), false, `pid ${pid} still runs`);
  const dir = /files\s+(\S+)/.exec(r.out)?.[1] ?? "";
  assert.ok(dir.includes("lt-demo-"), "the temp folder is named");
  assert.equal(existsSync(dir), false, `${dir} removed`);
  assert.deepEqual(processesMentioning(dir), []);
});

test("ltctl demo - Ctrl-C mid-run stops agents and server, prints what was measured, exits 130", {
  timeout: 60_000,
}, async () => {
  let sent = false;
  const r = await ltctl(["demo", "--duration", "30", "--json"], {
    env: { NATS_URL: undefined, LT_PREFIX: undefined },
    onOut: (out, kill) => {
      // Interrupt once messages flow.
      if (!sent && /"event":"progress".*"published":[1-9]/.test(out)) {
        sent = true;
        kill();
      }
    },
  });
  assert.ok(sent, `the run got going:\n${r.out}\n${r.err}`);
  assert.equal(r.code, 130, r.err);
  const events = r.out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const started = events.find((e) => e.event === "started") as {
    nats_server_pid: number;
    temp_dir: string;
    agents: { pid: number }[];
  };
  assert.ok(started);
  assert.equal(started.agents.length, 3);
  const report = events.find((e) => e.event === "report") as
    | { report: { cluster: { metrics: { published: number } } } }
    | undefined;
  assert.ok((report?.report.cluster.metrics.published ?? 0) > 0, "the report so far");
  assert.deepEqual(events.at(-1)?.event, "finished");
  for (const pid of [started.nats_server_pid, ...started.agents.map((a) => a.pid)])
    assert.equal(demoProcessAlive(pid), false, `pid ${pid} still runs`);
  assert.equal(existsSync(started.temp_dir), false);
  assert.deepEqual(processesMentioning(started.temp_dir), []);
});

test("ltctl demo - without nats-server on PATH it says how to install one and exits 1", async () => {
  const empty = mkdtempSync(join(tmpdir(), "lt-nopath-"));
  try {
    const r = await ltctl(["demo"], { env: { PATH: empty, NATS_URL: undefined } });
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /nats-server is not on PATH/);
    assert.match(r.err, /apt-get install nats-server/);
    assert.match(r.err, /Manual set-up/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
