import { describeMessages } from "./expand-messages.ts";
import type { Plan } from "./expand-plan.ts";
import type { ExpandedPublisher, ExpandedTls } from "./expand-spec.ts";
import { describeServices } from "./summary-services.ts";

/** One stream of a step, as `ltctl validate` shows it. */
export interface StreamSummary {
  name: string;
  subjects: string[];
  replicas: number;
  storage: "memory" | "file";
  publishers: number;
  consumers: number;
  /** Sum of its publishers' effective rates, messages per second. */
  targetMsgsPerSec: number;
}

/** One plan step in numbers. */
export interface StepSummary {
  index: number;
  specIndex: number;
  iteration: number;
  name: string;
  servers: string[];
  /** `nats_creds_file`, when set (a path: not a secret). */
  credsFile?: string;
  /** `nats_nkey_file`, when set (a path: not a secret). */
  nkeyFile?: string;
  /** The spec's `tls` files, when `tls` is set (present, even empty: TLS required). */
  tls?: ExpandedTls;
  durationMs: number;
  rampUpMs: number;
  /** Stages of `behavior.stages` (absent: the ramp shapes the rate). */
  stages?: number;
  streams: number;
  subjects: number;
  publishers: number;
  consumers: number;
  /** Sum of every publisher's effective rate, messages per second. */
  targetMsgsPerSec: number;
  /** `publish_rate_per_second: "max"`: a closed loop (no target rate). */
  closedLoop?: boolean;
  /** `publishers.message_count`: messages each publisher sends before it is done. */
  messageCount?: number;
  messageSizeBytes: number;
  /** The smallest and largest payload when sizes vary per message (`message_size_range`, `message_sizes`). */
  messageSizeRange?: { min: number; max: number };
  /** The messages' payload kind, sizes, headers and keys when they differ from the seed's (describeMessages). */
  messages?: string;
  /** The request/reply services (`services`), in one line (describeServices). */
  services?: string;
  streamList: StreamSummary[];
}

export interface PlanSummary {
  steps: StepSummary[];
  /** Sum of the steps' durations. */
  totalDurationMs: number;
  statsIntervalMs: number;
  storage: { type: string; path: string };
  repeat: Plan["repeat"];
}

/** The first publisher's message description (one spec's publishers share their message fields). */
function messagesOf(p: ExpandedPublisher | undefined): Pick<StepSummary, "messages" | "messageSizeRange"> {
  if (p === undefined) return {};
  const d = describeMessages(p);
  const sz = p.sizes;
  const range =
    sz === undefined
      ? undefined
      : sz.kind === "range"
        ? { min: sz.min, max: sz.max }
        : { min: Math.min(...sz.bytes), max: Math.max(...sz.bytes) };
  return {
    ...(d === undefined ? {} : { messages: d }),
    ...(range === undefined ? {} : { messageSizeRange: range }),
  };
}

/** The numbers `ltctl validate` prints (text or `--json`). */
export function planSummary(plan: Plan): PlanSummary {
  const steps = plan.steps.map((step): StepSummary => {
    const s = step.spec;
    const streamList = s.streams.map((st): StreamSummary => {
      const pubs = s.publishers.filter((p) => p.stream === st.name);
      return {
        name: st.name,
        subjects: st.subjects,
        replicas: st.replicas,
        storage: st.storage,
        publishers: pubs.length,
        consumers: s.consumers.filter((c) => c.stream === st.name).length,
        targetMsgsPerSec: pubs.reduce((n, p) => n + p.ratePerSec, 0),
      };
    });
    return {
      index: step.index,
      specIndex: step.specIndex,
      iteration: step.iteration,
      name: step.name,
      servers: s.servers,
      ...(s.credsFile !== undefined ? { credsFile: s.credsFile } : {}),
      ...(s.nkeyFile !== undefined ? { nkeyFile: s.nkeyFile } : {}),
      ...(s.tls !== undefined ? { tls: s.tls } : {}),
      durationMs: s.durationMs,
      rampUpMs: s.rampUpMs,
      ...(s.services === undefined ? {} : { services: describeServices(s.services) }),
      ...(s.shape !== undefined ? { stages: s.shape.length - 1 } : {}),
      streams: s.streams.length,
      subjects: s.streams.reduce((n, st) => n + st.subjects.length, 0),
      publishers: s.publishers.length,
      consumers: s.consumers.length,
      targetMsgsPerSec: s.publishers.reduce((n, p) => n + p.ratePerSec, 0),
      ...(s.publishers.some((p) => p.closedLoop) ? { closedLoop: true } : {}),
      ...(s.publishers[0]?.messageCount === undefined ? {} : { messageCount: s.publishers[0].messageCount }),
      messageSizeBytes: s.raw.publishers.message_size_bytes,
      ...messagesOf(s.publishers[0]),
      streamList,
    };
  });
  return {
    steps,
    totalDurationMs: steps.reduce((n, s) => n + s.durationMs, 0),
    statsIntervalMs: plan.statsIntervalMs,
    storage: plan.storage,
    repeat: plan.repeat,
  };
}
