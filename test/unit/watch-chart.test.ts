// `ltctl watch`'s per-interval chart: throughput and p50 / p99 / max per interval, a gap left blank.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderIntervalChart } from "../../src/cli/format/interval-chart.ts";
import { LiveSeries } from "../../src/stats/index.ts";
import { chain } from "../fixtures/chains.ts";

test("watch chart - a stall shows in its own interval on the p99 line and a lost snapshot as a blank", () => {
  const latency = (i: number) => Array.from({ length: 50 }, (_, j) => (i === 4 ? 500 + j : 1 + j / 50));
  const live = new LiveSeries();
  const snaps = chain({ times: [1, 2, 3, 4, 5, 6, 7, 8], latency }).filter((s) => s.elapsed_s !== 6);
  for (const s of snaps) live.add(s);
  const text = renderIntervalChart(live.points(), live.intervalS, { columns: 80 });
  const lines = text.trimEnd().split("\n");
  assert.equal(lines.length, 5, text);
  assert.match(lines[0]!, /per interval \(1 s, last 8; blank: a gap\)/);
  const row = (name: string) => {
    const line = lines.find((l) => l.includes(name))!;
    return [...line.slice(11, 19)];
  };
  assert.deepEqual(row("pub/s"), ["█", "█", "█", "█", "█", " ", "█", "█"], text);
  const p99 = row("ack p99");
  assert.equal(p99[4], "█", "the stall's interval is the top of the scale");
  assert.ok(
    p99.every((c, i) => i === 4 || c === " " || c < "▄"),
    text,
  );
  assert.equal(p99[5], " ", "the lost interval is blank, not its neighbour's value");
  assert.match(lines[1]!, /2,000 msg\/s \(target 2,000\)$/);
  assert.match(lines[3]!, /ack p99 .* 1\.\d\d ms$/);
  assert.equal(renderIntervalChart([], undefined), "", "nothing before the first interval");
});
