// Helpers for the control-plane tests: lt-agent and ltctl as real child processes (built code in dist/), on
// top of the harness's process helpers, with the shorter call shapes these tests use.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AgentProcess,
  type CtlResult,
  ltctl as harnessLtctl,
  ROOT,
  SKIP_UNBUILT,
  sleep,
  until,
} from "../harness/agents.ts";

export { type CtlResult, ROOT, sleep, until };
export type AgentProc = AgentProcess;
export const SKIP = SKIP_UNBUILT;

export function startAgent(server: string, pod: string, extra: string[] = []): AgentProc {
  return new AgentProcess({ server, pod, args: extra });
}

export function ltctl(args: string[], timeoutMs = 20_000): Promise<CtlResult> {
  return harnessLtctl(args, {}, timeoutMs);
}

export async function ltctlJson<T = any>(args: string[]): Promise<T> {
  const r = await ltctl([...args, "--json"]);
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`ltctl ${args.join(" ")} exited ${r.code}: ${r.stdout}\n${r.stderr}`);
  }
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "lt-agent-test-"));
}

/**
 * A small valid config: one stream per pod on the NATS under test, publishers and consumers, `seconds` long.
 * `_dir` was the storage folder; the storage file now goes to each agent's data directory (the parameter stays
 * for the callers).
 */
export function shortConfig(
  natsUrl: string,
  seconds: number,
  _dir: string,
  name = "short",
  rate = 200,
): Record<string, unknown> {
  return {
    load_test_specs: [
      {
        name: `${name}_{pod}`,
        nats_url: natsUrl,
        use_jetstream: true,
        streams: [
          {
            name_prefix: `${name.toUpperCase()}_{pod}`,
            count: 1,
            replicas: 1,
            subjects: [`${name}.{pod}.{}`],
            storage: "memory",
          },
        ],
        publishers: {
          count_per_stream: 1,
          stream_name_prefix: `${name.toUpperCase()}_{pod}`,
          publish_rate_per_second: rate,
          publish_pattern: "steady",
          message_size_bytes: 128,
          track_latency: true,
        },
        consumers: {
          stream_name_prefix: `${name.toUpperCase()}_{pod}`,
          type: "pull",
          count_per_stream: 1,
          durable_name_prefix: `${name}_{pod}`,
          ack_wait_seconds: 30,
          max_ack_pending: 1000,
          ack_policy: "explicit",
        },
        behavior: { duration_seconds: seconds, ramp_up_seconds: 0 },
      },
    ],
    // Relative: each agent writes inside its own data directory (a config may not write elsewhere).
    storage: { type: "file", path: "{pod}.log" },
    stats_collection_interval_seconds: 1,
  };
}
