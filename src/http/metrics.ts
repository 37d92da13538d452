// GET /metrics: the pod's latest snapshot rendered as Prometheus text, plus process metrics from
// prom-client. The lt_* families are rendered here rather than through prom-client's Counter/Histogram:
// those only ever increment and observe one value at a time, while a snapshot already holds cumulative
// counters and a whole HDR histogram per scrape.
import { collectDefaultMetrics, Registry } from "prom-client";
import {
  decodeHistogram,
  ERROR_CATEGORIES,
  SNAPSHOT_COUNTER_KEYS,
  SNAPSHOT_COUNTERS,
  type Snapshot,
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

// publish_errors is rendered by category as lt_publish_errors_total{category}.
const COUNTERS = SNAPSHOT_COUNTER_KEYS.filter((k) => k !== "publish_errors").map(
  (k) => [k, `lt_${k}_total`, SNAPSHOT_COUNTERS[k]] as const,
);

const GAUGES: Array<[keyof Snapshot & string, string, string]> = [
  ["publish_rate", "lt_publish_rate", "Publishes per second over the last interval."],
  ["consume_rate", "lt_consume_rate", "Messages consumed per second over the last interval."],
  ["target_rate", "lt_target_rate", "Publishes per second the plan asks of this pod now."],
  ["elapsed_s", "lt_elapsed_seconds", "Seconds since the current step started."],
  ["duration_s", "lt_duration_seconds", "Planned duration of the current step."],
  ["spec_index", "lt_spec_index", "Index of the running spec."],
  ["iteration", "lt_iteration", "Repeat-policy iteration of the running spec."],
];

/** Renders the lt_* families for one snapshot (nothing when there is none yet). Pure. */
export function renderSnapshotMetrics(s: Snapshot | undefined): string {
  if (!s) return "";
  const w = new Writer();
  const base: Labels = { run: s.run_id, spec: s.spec, pod: s.pod };
  w.family("lt_info", "gauge", "Always 1; labels describe the pod's current run.");
  w.sample("lt_info", { ...base, mode: s.mode, phase: s.phase }, 1);
  for (const [key, name, help] of COUNTERS) {
    w.family(name, "counter", help).sample(name, base, Number(s[key] ?? 0));
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
  for (const [key, name, help] of GAUGES) {
    w.family(name, "gauge", help).sample(name, base, Number(s[key] ?? 0));
  }
  histogram(
    w,
    "lt_publish_ack_latency_seconds",
    "Publish to JetStream ack latency (response time: ack minus intended send).",
    base,
    s.hist.publish_ack,
  );
  histogram(
    w,
    "lt_publish_service_latency_seconds",
    "JetStream service time: ack minus the acknowledged attempt's actual send.",
    base,
    s.hist.publish_service ?? "",
  );
  histogram(w, "lt_end_to_end_latency_seconds", "Publish to consume latency.", base, s.hist.end_to_end);
  histogram(
    w,
    "lt_send_delay_latency_seconds",
    "How late this pod sent: actual minus intended send of every publish (the load generator's own lag).",
    base,
    s.hist.send_delay ?? "",
  );
  if (s.nats) {
    w.family("lt_nats_reconnects_total", "counter", "Reconnects of the connection to the NATS under test.");
    w.sample("lt_nats_reconnects_total", base, s.nats.reconnects);
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
  readonly #registry = new Registry();
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
