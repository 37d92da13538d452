// `ltctl run`'s result table for the KV and object store workloads: operations per second, MiB per second.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderResults } from "../../src/cli/commands/run.ts";
import { snapshot } from "../fixtures/snapshots.ts";

test("ltctl run - kv and object store counters show ops/s and MiB/s over the measured window", () => {
  const base = snapshot({ phase: "done" });
  const s = {
    ...base,
    elapsed_s: 10,
    duration_s: 10,
    kv_puts: 20_000,
    kv_cas_conflicts: 5,
    obj_puts: 50,
    obj_bytes_put: 50 * 1024 * 1024,
  };
  const out = renderResults([s]);
  const dur = (base as { window_s?: number }).window_s ?? 10;
  const line = (label: string) => out.split("\n").find((l) => l.trimStart().startsWith(label)) ?? "";
  assert.match(
    line("kv puts"),
    new RegExp(`20,000\\s+${(20_000 / dur).toLocaleString("en-US", { maximumFractionDigits: 0 })} ops/s`),
    out,
  );
  assert.match(line("obj bytes put"), /50 MiB\s+\S+ MiB\/s/, out);
  assert.match(line("kv CAS conflicts"), /5\s+KV updates refused/, out);
  assert.doesNotMatch(out, /kv gets|obj gets/, "quiet counters at 0 stay hidden");
  assert.doesNotMatch(out, /kv put\s+0|obj get\s+0/, "latency kinds without samples stay hidden");
});
