import assert from "node:assert/strict";
import { test } from "node:test";
import { progressOf } from "../../src/cli/commands/watch.ts";
import { colourEnabled, palette, stripAnsi } from "../../src/cli/format/colour.ts";
import { formatClock, progressDone, renderProgress, shouldPrint } from "../../src/cli/format/progress.ts";
import { aggregate } from "../../src/stats/index.ts";
import { snapshot } from "../fixtures/snapshots.ts";

const ESC = "\u001b[";
/** Printable text of a progress line: no colours, no carriage return, no clear-to-end-of-line. */
const visible = (s: string) => stripAnsi(s).replaceAll("\r", "").replaceAll(`${ESC}K`, "");

test("colour - only on a terminal, and never when NO_COLOR is set", () => {
  assert.equal(colourEnabled(true, {}), true);
  assert.equal(colourEnabled(false, {}), false);
  assert.equal(colourEnabled(true, { NO_COLOR: "1" }), false);
  assert.equal(
    colourEnabled(true, { NO_COLOR: "" }),
    true,
    "an empty NO_COLOR does not count (no-color.org)",
  );
  assert.equal(colourEnabled(true, { TERM: "dumb" }), false);
  assert.equal(colourEnabled(false, { FORCE_COLOR: "1" }), true);
  assert.equal(
    colourEnabled(false, { FORCE_COLOR: "1", NO_COLOR: "1" }),
    false,
    "NO_COLOR wins over FORCE_COLOR",
  );
});

test("colour - a disabled palette returns text unchanged", () => {
  assert.equal(palette(true, { NO_COLOR: "1" }).red("x"), "x");
  assert.equal(palette(false, {}).green("x"), "x");
  const on = palette(true, {}).red("x");
  assert.ok(on.startsWith(`${ESC}31m`));
  assert.equal(stripAnsi(on), "x");
});

test("progress - on a TTY one redrawn line with bar, rate, p99, elapsed/total and ETA", () => {
  const line = renderProgress(
    { elapsed_s: 30, total_s: 120, rate: 12_345, p99_ms: 4.234, label: "spec 1/2 orders" },
    { isTTY: true, env: {}, columns: 120 },
  );
  assert.ok(line.startsWith("\r["));
  assert.ok(line.endsWith(`${ESC}K`));
  assert.ok(!line.includes("\n"));
  const text = stripAnsi(line);
  assert.match(text, / 25% /);
  assert.match(text, /12\.3k msg\/s/);
  assert.match(text, /p99 4\.23 ms/);
  assert.match(text, /30s\/2m00s/);
  assert.match(text, /ETA 1m30s/);
  assert.ok(visible(text).length <= 119, "fits the terminal width");
  assert.equal(progressDone(true), "\n");
});

test("progress - a narrow terminal truncates the text, never wraps", () => {
  const line = renderProgress(
    { elapsed_s: 1, total_s: 10, rate: 5, p99_ms: 1, label: "a very long spec label that goes on" },
    { isTTY: true, env: { NO_COLOR: "1" }, columns: 40 },
  );
  assert.ok(!line.includes(ESC + "3"), "no colour under NO_COLOR");
  assert.ok(visible(line).length <= 39);
  assert.match(line, /…/);
});

test("progress - not a TTY: plain lines without escapes, throttled", () => {
  const line = renderProgress(
    { elapsed_s: 65, total_s: 0, rate: 100, p99_ms: 250.4 },
    { isTTY: false, env: {} },
  );
  assert.equal(line, "100 msg/s  p99 250 ms  1m05s\n");
  assert.equal(progressDone(false), "");
  assert.equal(shouldPrint(false, undefined, 0), true);
  assert.equal(shouldPrint(false, 0, 5), false);
  assert.equal(shouldPrint(false, 0, 10), true);
  assert.equal(shouldPrint(true, 0, 1), true);
  assert.equal(formatClock(3725), "1h02m05s");
});

test("watch - the progress of the newest step: the furthest pod's time, rates summed over its pods", () => {
  const snaps = [
    snapshot({ pod: "a", spec: "warm", spec_index: 0, elapsed_s: 10, duration_s: 10, publish_rate: 5 }),
    snapshot({ pod: "b", spec: "main", spec_index: 1, elapsed_s: 12, duration_s: 60, publish_rate: 100 }),
    snapshot({ pod: "c", spec: "main", spec_index: 1, elapsed_s: 15, duration_s: 60, publish_rate: 150 }),
  ];
  const p = progressOf({ run: "r1", agents: [], latest: snaps, cluster: aggregate(snaps), done: false });
  assert.ok(p);
  assert.equal(p.elapsed_s, 15);
  assert.equal(p.total_s, 60);
  assert.equal(p.rate, 250);
  assert.equal(p.pods, 2);
  assert.match(p.label ?? "", /spec 2 main/);
  const line = visible(renderProgress(p, { isTTY: true, env: {}, columns: 100 }));
  assert.match(line, /25%/);
  assert.equal(
    progressOf({ run: undefined, agents: [], latest: [], cluster: undefined, done: false }),
    undefined,
  );
});
