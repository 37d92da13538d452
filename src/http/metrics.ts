// GET /metrics: the pod's latest snapshot rendered as Prometheus text, plus process metrics from
// prom-client. The lt_* families are rendered here rather than through prom-client's Counter/Histogram:
// those only ever increment and observe one value at a time, while a snapshot already holds cumulative
// counters and a whole HDR histogram per scrape.
import { collectDefaultMetrics, Registry as PromRegistry } from "prom-client";
import {
  decodeHistogram,
  ERROR_CATEGORIES,
  gauges,
  latencyKinds,
  MEASURES,
  natsCounters,
  type Registry,
  type Snapshot,
  snapshotCounters,
} from "../stats/index.ts";
import { cumulativeCounts, LATENCY_BUCKETS_S } from "./buckets.ts";

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type Labels = Record<string, string>;

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const fmtLabels = (l: Labels) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};
const fmtNum = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN");

class Writer {
  readonly lines: string[] = [];
  family(name: string, type: "counter" | "gauge" | "histogram", help: string): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }
  sample(name: string, labels: Labels, value: number): this {
    this.lines.push(`${name}${fmtLabels(labels)} ${fmtNum(value)}`);
    return this;
  }
}

/** Snapshot fields that are not measurements but say where the pod is in its plan. */
const ENVELOPE_GAUGES: Array<[keyof Snapshot & string, string, string]> = [
  ["elapsed_s", "lt_elapsed_seconds", "Seconds since the current step started."],
  ["duration_s", "lt_duration_seconds", "Planned duration of the current step."],
  ["spec_index", "lt_spec_index", "Index of the running spec."],
  ["iteration", "lt_iteration", "Repeat-policy iteration of the running spec."],
];

const numberAt = (o: unknown, key: string): number => {
  const n = (o as Readonly<Record<string, unknown>> | undefined)?.[key];
  return typeof n === "number" ? n : 0;
};

/**
 * Renders the lt_* families for one snapshot (nothing when there is none yet). Pure. Every measurement of the
 * registry `m` is a family: a counter `lt_<name>_total` (connection figures `lt_nats_<name>_total`), a gauge
 * `lt_<name>`, a latency kind `lt_<name>_latency_seconds`; absent fields (older agents) read 0.
 */
export function renderSnapshotMetrics(s: Snapshot | undefined, m: Registry = MEASURES): string {
  if (!s) return "";
  const w = new Writer();
  const base: Labels = { run: s.run_id, spec: s.spec, pod: s.pod };
  w.family("lt_info", "gauge", "Always 1; labels describe the pod's current run.");
  w.sample("lt_info", { ...base, mode: s.mode, phase: s.phase }, 1);
  for (const e of snapshotCounters(m)) {
    // publish_errors is rendered by category as lt_publish_errors_total{category}.
    if (e.name === "publish_errors") continue;
    const name = `lt_${e.name}_total`;
    w.family(name, "counter", e.help).sample(name, base, numberAt(s, e.name));
  }
  w.family("lt_publish_errors_total", "counter", "Publish failures by category.");
  const cats = new Set<string>([
    ...ERROR_CATEGORIES.filter((c) => c !== "consume"),
    ...Object.keys(s.errors),
  ]);
  cats.delete("consume");
  for (const c of cats) w.sample("lt_publish_errors_total", { ...base, category: c }, s.errors[c] ?? 0);
  w.family("lt_consume_errors_total", "counter", "Consume failures.");
  w.sample("lt_consume_errors_total", base, s.errors["consume"] ?? 0);
  for (const e of gauges(m)) {
    const name = `lt_${e.name}`;
    w.family(name, "gauge", e.help).sample(name, base, numberAt(s, e.name));
  }
  for (const [key, name, help] of ENVELOPE_GAUGES) {
    w.family(name, "gauge", help).sample(name, base, Number(s[key] ?? 0));
  }
  const hist = s.hist as Readonly<Record<string, string | undefined>>;
  for (const e of latencyKinds(m)) {
    histogram(w, `lt_${e.name}_latency_seconds`, e.help, base, hist[e.name] ?? "");
  }
  if (s.nats) {
    for (const e of natsCounters(m)) {
      const name = `lt_nats_${e.name}_total`;
      w.family(name, "counter", e.help).sample(name, base, numberAt(s.nats, e.name));
    }
  }
  const streams = s.streams ?? [];
  const streamGauges: Array<
    [string, string, "messages" | "bytes" | "consumers" | "num_pending" | "num_ack_pending"]
  > = [
    ["lt_stream_messages", "Messages stored in the stream.", "messages"],
    ["lt_stream_bytes", "Bytes stored in the stream.", "bytes"],
    ["lt_stream_consumers", "Consumers on the stream.", "consumers"],
    ["lt_stream_pending_messages", "Messages not yet delivered to this pod's consumers.", "num_pending"],
    ["lt_stream_ack_pending_messages", "Messages delivered and awaiting ack.", "num_ack_pending"],
  ];
  for (const [name, help, key] of streamGauges) {
    const rows = streams.filter((st) => typeof st[key] === "number");
    if (rows.length === 0) continue;
    w.family(name, "gauge", help);
    for (const st of rows) w.sample(name, { ...base, stream: st.name }, st[key] as number);
  }
  const sys = s.system ?? {};
  for (const [k, val] of Object.entries(sys)) {
    const name = `lt_system_${k.replace(/[^a-zA-Z0-9_]/g, "_")}`;
    w.family(name, "gauge", `Agent process ${k} from the snapshot.`).sample(name, base, val);
  }
  return `${w.lines.join("\n")}\n`;
}

function histogram(w: Writer, name: string, help: string, labels: Labels, encoded: string): void {
  w.family(name, "histogram", help);
  let count = 0;
  let sumS = 0;
  let cumulative = LATENCY_BUCKETS_S.map(() => 0);
  if (encoded) {
    const h = decodeHistogram(encoded);
    count = h.totalCount;
    sumS = count > 0 ? (h.mean * count) / 1_000_000 : 0;
    cumulative = cumulativeCounts(h, LATENCY_BUCKETS_S);
    h.destroy();
  }
  LATENCY_BUCKETS_S.forEach((b, i) => {
    w.sample(`${name}_bucket`, { ...labels, le: String(b) }, Math.min(count, cumulative[i] ?? 0));
  });
  w.sample(`${name}_bucket`, { ...labels, le: "+Inf" }, count);
  w.sample(`${name}_sum`, labels, sumS);
  w.sample(`${name}_count`, labels, count);
}

/** Process metrics (CPU, memory, event loop, GC) of this agent, in a registry of its own. */
export class MetricsEndpoint {
  readonly #registry = new PromRegistry();
  constructor() {
    collectDefaultMetrics({ register: this.#registry, prefix: "lt_process_" });
  }
  async render(snapshot: Snapshot | undefined): Promise<string> {
    return renderSnapshotMetrics(snapshot) + (await this.#registry.metrics());
  }
  close(): void {
    this.#registry.clear();
  }
}
