// podman for the image test (test/container): the runtime flags measured to work on machines like CI's
// (runc and cgroupfs: crun fails there on hybrid cgroups; scripts/podman-containers.conf sets no default
// ulimits, which are refused), whether podman can run here at all, and the scripts that make the base image
// and the npm cache for an offline build.
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const PODMAN_FLAGS = ["--runtime", "runc", "--cgroup-manager", "cgroupfs"];
const CONTAINERS_CONF = join(ROOT, "scripts/podman-containers.conf");

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time, for the test's report of what the image costs. */
  readonly ms: number;
}

/** Runs a command from the repository root; never rejects (a timeout or a missing command is a non-zero code). */
export function run(cmd: string, args: readonly string[], timeoutMs: number): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        cwd: ROOT,
        timeout: timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, CONTAINERS_CONF },
      },
      (err, stdout, stderr) => {
        const c = (err as { code?: unknown } | null)?.code;
        const code = err ? (typeof c === "number" ? c : 1) : 0;
        const why = err && typeof c !== "number" ? `\n${String(err.message)}` : "";
        resolve({ code, stdout, stderr: stderr + why, ms: Date.now() - started });
      },
    );
  });
}

/** `podman <args>` with the runtime flags that work here. */
export function podman(args: readonly string[], timeoutMs = 60_000): Promise<Ran> {
  return run("podman", [...PODMAN_FLAGS, ...args], timeoutMs);
}

/** A repository script (scripts/<name>). */
export function script(name: string, timeoutMs: number): Promise<Ran> {
  return run(join(ROOT, "scripts", name), [], timeoutMs);
}

function onPath(cmd: string): boolean {
  // /usr/sbin and /sbin too: runc and debootstrap live there, and a non-root PATH may lack them.
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin"];
  return dirs.some((d) => {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why the image cannot be made and run here (a reason to skip), or false when podman can run. */
export async function podmanUnavailable(): Promise<string | false> {
  if (process.platform !== "linux")
    return `podman runs the image on Linux only (this is ${process.platform})`;
  for (const cmd of ["podman", "runc", "debootstrap"]) {
    if (!onPath(cmd))
      return `${cmd} is not installed (scripts/install-tools.sh installs Debian's podman, runc, debootstrap)`;
  }
  if (process.getuid?.() !== 0)
    return "needs root: debootstrap makes the base image, and podman runs rootful here";
  const info = await podman(["info", "--format", "{{.Host.OCIRuntime.Name}}"], 60_000);
  if (info.code !== 0)
    return `podman cannot run here: ${info.stderr.trim().split("\n").slice(-3).join(" | ")}`;
  return false;
}
