// The demo's output channels: human text on stdout (not with --json), one JSON line per event on stdout (only
// with --json: the protocol scripts and the tests read), errors and warnings on stderr (always).
import type { RunReport } from "../../report/index.ts";
import type { ClusterTotal, Mode } from "../../stats/index.ts";
import { type Palette, palette } from "../format/colour.ts";
import type { CliIo } from "../io.ts";

/** Every event of `ltctl demo --json`, in the order they come; each line also carries `ts` (ISO time). */
export type DemoEvent =
  | {
      event: "started";
      server: string;
      local_server: boolean;
      nats_server_pid: number | null;
      temp_dir: string;
      reaper_pid: number;
      prefix: string;
      config: string;
      dashboard: string;
      agents: { pod: string; mode: Mode; pid: number }[];
    }
  | { event: "pushed"; run_id: string; start_at: string }
  | {
      event: "progress";
      run_id: string | undefined;
      elapsed_s: number;
      agents: { pod: string; state: string }[];
      cluster: ClusterTotal["counters"] | null;
    }
  | { event: "report"; run_id: string; report: RunReport; interrupted?: true }
  | { event: "warning"; message: string }
  | { event: "kept"; server: string; prefix: string; dashboard: string }
  | { event: "stopped"; pids: number[]; temp_dir: string; graceful: boolean }
  | { event: "finished"; ok: boolean; exit_code: number };

export interface DemoOutput {
  readonly json: boolean;
  readonly isTTY: boolean;
  readonly c: Palette;
  /** Human text (nothing with --json). */
  say(text: string): void;
  /** A JSON line (only with --json). */
  event(e: DemoEvent): void;
  /** `ltctl demo: <msg>` on stderr. */
  fail(msg: string): void;
  /** `warning: <msg>` on stderr, and a warning event. */
  warn(msg: string): void;
}

export function demoOutput(io: CliIo, json: boolean): DemoOutput {
  const c = palette(io.isTTY && !json, io.env);
  const event = ({ event, ...rest }: DemoEvent) => {
    if (json) io.out(`${JSON.stringify({ event, ts: new Date().toISOString(), ...rest })}\n`);
  };
  return {
    json,
    isTTY: io.isTTY,
    c,
    say: (text) => {
      if (!json) io.out(text);
    },
    event,
    fail: (msg) => io.err(`${c.red("ltctl demo:")} ${msg}\n`),
    warn: (msg) => {
      io.err(`${c.yellow("warning:")} ${msg}\n`);
      event({ event: "warning", message: msg });
    },
  };
}
