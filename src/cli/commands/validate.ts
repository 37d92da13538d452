import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import {
  formatDuration,
  formatIssues,
  type PlanSummary,
  parseConfigText,
  planSummary,
  resolvePodName,
  type StepSummary,
} from "../../config/index.ts";
import { redactSecrets } from "../../control/index.ts";
import { formatBytes, formatNumber, renderTable } from "../format/table.ts";
import { type CliIo, EXIT } from "../io.ts";

const HELP = `
Expands the config as an agent would (\${VAR} and \${VAR:-default} from the environment, {pod} from --pod,
else POD_NAME, else the host name; {} in subjects by stream index), checks every rule, and prints the plan:
each spec and repeat iteration with its streams, subjects, publishers, consumers and target rate.

Exit codes: 0 valid, 2 bad usage or unreadable file, 104 invalid config (every problem listed as
"path: message").

Examples:
  $ ltctl validate examples/quick.json
  $ NATS_URL=nats://n1:4222 NATS_CREDS_MOUNT_PATH=/creds ltctl validate examples/seed.json --pod lt-0
  $ ltctl validate my.json --json | jq '.summary.steps[].targetMsgsPerSec'
`;

/** `ltctl validate <file> [--pod NAME] [--json]`. */
export function register(program: Command, io: CliIo): void {
  program
    .command("validate")
    .description("check a config file and show the plan it expands to")
    .argument("<file>", "config file (JSON, the original tool's format)")
    .option("--pod <name>", "pod name for {pod} (default: POD_NAME, else the host name)")
    .option("--json", "print the result as JSON")
    .addHelpText("after", HELP)
    .action(async (file: string, opts: { pod?: string; json?: boolean }) => {
      io.setExitCode(await validate(file, opts, io));
    });
}

async function validate(file: string, opts: { pod?: string; json?: boolean }, io: CliIo): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    io.err(`ltctl validate: cannot read ${file}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const pod = opts.pod ?? resolvePodName(io.env, io.hostname);
  const parsed = parseConfigText(text, { pod, env: io.env });
  // Everything printed goes through the one redaction (servers with passwords, issues that echo them).
  const result = redactSecrets(parsed);
  if (!result.ok) {
    if (opts.json) io.out(`${JSON.stringify({ ok: false, file, pod, issues: result.issues }, null, 2)}\n`);
    else {
      const n = result.issues.length;
      io.err(
        `${file}: invalid config, ${n} problem${n === 1 ? "" : "s"}:\n${indent(formatIssues(result.issues))}\n`,
      );
    }
    return EXIT.invalidConfig;
  }
  const summary = planSummary(result.plan);
  if (opts.json) {
    io.out(`${JSON.stringify({ ok: true, file, pod, summary, warnings: result.warnings }, null, 2)}\n`);
  } else {
    io.out(renderSummary(file, pod, summary, result.warnings));
  }
  return EXIT.ok;
}

/** The text `ltctl validate` prints for a valid config. Pure. */
export function renderSummary(
  file: string,
  pod: string,
  s: PlanSummary,
  warnings: readonly string[],
): string {
  const n = s.steps.length;
  let out = `${file}: valid · pod ${pod} · ${n} step${n === 1 ? "" : "s"}, ${formatDuration(s.totalDurationMs)} in total\n`;
  out += `stats every ${formatDuration(s.statsIntervalMs)} to ${s.storage.type} ${s.storage.path}`;
  if (s.repeat.enabled) {
    out += ` · repeat: last spec up to ${s.repeat.maxIterations} times`;
    if (s.repeat.maxTotalMs !== undefined) out += `, within ${formatDuration(s.repeat.maxTotalMs)}`;
  }
  out += "\n";
  if (n > 1) out += `\n${stepsTable(s.steps)}`;
  for (const step of s.steps) {
    if (step.iteration > 0) continue;
    out += `\n${stepDetail(step, n)}`;
  }
  if (warnings.length > 0) out += `\nwarnings:\n${indent(warnings.join("\n"))}\n`;
  return out;
}

const MAX_STREAM_ROWS = 20;

function stepDetail(step: StepSummary, total: number): string {
  let out = `step ${step.index + 1}/${total} · ${step.name} (load_test_specs[${step.specIndex}])`;
  const shape =
    step.stages === undefined ? `ramp-up ${formatDuration(step.rampUpMs)}` : `${step.stages} stages`;
  out += ` · ${formatDuration(step.durationMs)}, ${shape}\n`;
  out += `  servers: ${step.servers.join(", ")}\n`;
  if (step.credsFile !== undefined) out += `  creds: ${step.credsFile}\n`;
  if (step.nkeyFile !== undefined) out += `  nkey seed file: ${step.nkeyFile}\n`;
  if (step.tls !== undefined) out += `  tls: ${tlsLine(step.tls)}\n`;
  out += `  ${step.streams} streams, ${step.subjects} subjects, ${step.publishers} publishers, ${step.consumers} consumers`;
  const r = step.messageSizeRange;
  const size = r ? `${formatBytes(r.min)}..${formatBytes(r.max)}` : formatBytes(step.messageSizeBytes);
  const rate = step.closedLoop
    ? "a closed loop (max)"
    : `target ${formatNumber(step.targetMsgsPerSec)} msg/s`;
  const count =
    step.messageCount === undefined ? "" : `, ${formatNumber(step.messageCount)} messages per publisher`;
  out += `, ${rate} of ${size}${count}\n`;
  if (step.messages !== undefined) out += `  messages: ${step.messages}\n`;
  if (step.services !== undefined) out += `  services: ${step.services}\n`;
  out += "\n";
  const rows = step.streamList
    .slice(0, MAX_STREAM_ROWS)
    .map((st) => [
      st.name,
      st.subjects.join(" "),
      String(st.replicas),
      st.storage,
      String(st.publishers),
      String(st.consumers),
      formatNumber(st.targetMsgsPerSec),
    ]);
  out += renderTable(
    [
      { header: "stream" },
      { header: "subjects" },
      { header: "R", align: "right" },
      { header: "storage" },
      { header: "pubs", align: "right" },
      { header: "cons", align: "right" },
      { header: "msg/s", align: "right" },
    ],
    rows,
    2,
  );
  const more = step.streamList.length - MAX_STREAM_ROWS;
  if (more > 0) out += `  … and ${more} more streams (--json lists all)\n`;
  return out;
}

/** `tls` of a step in one line: required TLS, the CA trusted, the client certificate (paths, not secrets). */
function tlsLine(tls: NonNullable<StepSummary["tls"]>): string {
  const ca = tls.caFile !== undefined ? `CA ${tls.caFile}` : "default CAs";
  const client =
    tls.certFile !== undefined
      ? `client certificate ${tls.certFile}, key ${tls.keyFile ?? "?"}`
      : "no client certificate";
  return `required · ${ca} · ${client}`;
}

function stepsTable(steps: readonly StepSummary[]): string {
  return renderTable(
    [
      { header: "step", align: "right" },
      { header: "spec" },
      { header: "iter", align: "right" },
      { header: "duration", align: "right" },
      { header: "streams", align: "right" },
      { header: "subjects", align: "right" },
      { header: "pubs", align: "right" },
      { header: "cons", align: "right" },
      { header: "msg/s", align: "right" },
      { header: "size", align: "right" },
    ],
    steps.map((s) => [
      String(s.index + 1),
      s.name,
      String(s.iteration),
      formatDuration(s.durationMs),
      String(s.streams),
      String(s.subjects),
      String(s.publishers),
      String(s.consumers),
      formatNumber(s.targetMsgsPerSec),
      formatBytes(s.messageSizeBytes),
    ]),
  );
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
