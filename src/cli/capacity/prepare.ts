// Reading a capacity search's input: the numeric options, the config (one spec, SLOs, publishers with a rate to
// scale), and each step's config (the spec at one rate for some seconds, nothing else). A usage or config
// problem is printed and its exit code returned, before anything runs.
import { readFile } from "node:fs/promises";
import { formatIssues, parseConfigText, rateOf, resolvePodName } from "../../config/index.ts";
import { type CliIo, EXIT } from "../io.ts";
import { parseSlos } from "./judge.ts";

/** The options `prepare` reads (ltctl capacity's, as commander gives them). */
export interface PrepareOpts {
  slo?: string[];
  start: string;
  factor: string;
  max: string;
  stepSeconds: string;
  warmupSeconds: string;
  precision: string;
  workers: string;
  pod?: string;
}

/** A positive number option, or the usage problem naming it. */
function numberOpt(name: string, raw: string, min: number, integer = false): number | string {
  const n = Number(raw.trim().replace(/%$/, ""));
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
    return `ltctl capacity: ${name} must be ${integer ? "an integer" : "a number"} >= ${min}, got ${raw}`;
  return n;
}

/** The raw config with its first spec running `perPublisher` msg/s per publisher for `seconds`, nothing else. */
export function stepConfig(
  raw: Record<string, unknown>,
  perPublisher: number,
  seconds: number,
  name: string,
): Record<string, unknown> {
  const specs = raw.load_test_specs as Record<string, unknown>[];
  const spec: Record<string, unknown> = { ...specs[0]!, name };
  spec.behavior = {
    duration_seconds: seconds,
    ramp_up_seconds: 0,
    stages: [{ duration_seconds: 0, rate: perPublisher }],
  };
  const { repeat_policy: _r, thresholds: _t, ...rest } = raw;
  return { ...rest, load_test_specs: [spec] };
}

/** What the search needs once the config and options are read. */
export interface Prepared {
  readonly file: string;
  readonly raw: Record<string, unknown>;
  readonly ctx: { pod: string; env: Record<string, string | undefined> };
  readonly block: Record<string, string>;
  readonly sloList: string[];
  /** The spec's total rate as configured, and its publish_rate_per_second (a step scales both). */
  readonly base: number;
  readonly publishRate: number;
  readonly specName: string;
  readonly n: Numbers;
}

export interface Numbers {
  start: number;
  factor: number;
  max: number;
  step: number;
  warmup: number;
  precision: number;
  workers: number;
}

/** Reads the options and the config; a usage or config problem is printed and its exit code returned. */
export async function prepare(file: string, opts: PrepareOpts, io: CliIo): Promise<Prepared | number> {
  const nums = {
    start: numberOpt("--start", opts.start, 1),
    factor: numberOpt("--factor", opts.factor, 1.01),
    max: numberOpt("--max", opts.max, 1),
    step: numberOpt("--step-seconds", opts.stepSeconds, 1, true),
    warmup: numberOpt("--warmup-seconds", opts.warmupSeconds, 0, true),
    precision: numberOpt("--precision", opts.precision, 0.1),
    workers: numberOpt("--workers", opts.workers, 1, true),
  };
  for (const v of Object.values(nums))
    if (typeof v === "string") {
      io.err(`${v}\n`);
      return EXIT.usage;
    }
  const n = nums as Numbers;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    io.err(`ltctl capacity: cannot read ${file}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const ctx = { pod: opts.pod ?? resolvePodName(io.env, io.hostname), env: io.env };
  const loaded = parseConfigText(text, ctx);
  if (!loaded.ok) {
    io.err(`${file}: invalid config:\n${formatIssues(loaded.issues)}\n`);
    return EXIT.invalidConfig;
  }
  const raw = JSON.parse(text) as Record<string, unknown>;
  const specs = raw.load_test_specs as unknown[];
  if (specs.length !== 1) {
    io.err(`${file}: ltctl capacity searches one spec; load_test_specs has ${specs.length} (keep one)\n`);
    return EXIT.usage;
  }
  const slos = parseSlos(
    opts.slo ?? Object.entries(loaded.config.thresholds ?? {}).map(([m, e]) => `${m}${e}`),
  );
  if ("error" in slos) {
    io.err(`ltctl capacity: ${slos.error}\n`);
    return EXIT.usage;
  }
  if (Object.keys(slos.block).length === 0) {
    io.err(
      "ltctl capacity: give at least one --slo (e.g. --slo 'publish_ack.p99_ms<10'), or thresholds in the config\n",
    );
    return EXIT.usage;
  }
  const first = loaded.plan.steps[0]!.spec;
  const base = first.publishers.reduce((t, p) => t + p.ratePerSec, 0);
  if (rateOf(loaded.config.load_test_specs[0]!.publishers.publish_rate_per_second) === 0) {
    io.err(
      `${file}: load_test_specs[0].publishers.publish_rate_per_second is "max", a closed loop: a capacity search sets open-model rates, so give a number (any: the search replaces it)\n`,
    );
    return EXIT.usage;
  }
  if (!(base > 0)) {
    io.err(`${file}: the spec has no publishers (publishers.count_per_stream is 0); nothing to search\n`);
    return EXIT.usage;
  }
  return {
    file,
    raw,
    ctx,
    block: slos.block,
    sloList: Object.entries(slos.block).map(([m, e]) => `${m} ${e}`),
    base,
    publishRate: rateOf(loaded.config.load_test_specs[0]!.publishers.publish_rate_per_second),
    specName: String((specs[0] as { name?: unknown }).name ?? "capacity"),
    n,
  };
}
