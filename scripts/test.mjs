#!/usr/bin/env node
// Runs the test suites with Node's own runner. Usage: node scripts/test.mjs [unit|integration|fault|all] [more...]
// Suites are folders under test/; files end in .test.ts. Integration and fault tests start real nats-server
// processes, so they run with limited concurrency on a 2-core machine. dist/ is compiled first when any source
// changed since the last build (the tests spawn bin/ltctl and bin/lt-agent, which run dist/).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildIfStale } from "./build.mjs";

// container: builds deploy/Dockerfile with podman and runs the image (test/container/image.test.ts).
const all = ["unit", "integration", "browser", "fault", "container"];
const args = process.argv.slice(2);
const suites = args.length === 0 || args.includes("all") ? all : args;

function testFiles(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(testFiles(p));
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const files = suites.flatMap((s) => testFiles(join("test", s)));
if (files.length === 0) {
  console.error(`no test files under ${suites.map((s) => `test/${s}`).join(", ")}`);
  process.exit(1);
}
const SUPPORTED_NODE_MAJOR = 24;
if (Number(process.versions.node.split(".")[0]) < SUPPORTED_NODE_MAJOR) {
  console.error(
    `test: running on Node ${process.version}; the supported runtime is Node ${SUPPORTED_NODE_MAJOR} LTS (make test installs it)`,
  );
}
if (buildIfStale() !== 0) {
  console.error("test: not running the tests: the build failed, and they would run a stale or broken dist/");
  process.exit(1);
}
const concurrency = process.env.LT_TEST_CONCURRENCY ?? "2";
const r = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${concurrency}`,
    // No single test may hang the suite: the slowest (fault) tests take under a minute.
    `--test-timeout=${process.env.LT_TEST_TIMEOUT_MS ?? "240000"}`,
    "--test-reporter=spec",
    ...files,
  ],
  { stdio: "inherit" },
);
process.exit(r.status ?? 1);
