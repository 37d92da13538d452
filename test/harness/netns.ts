// A network namespace of our own for partition tests: a veth pair with addresses we assign (host side
// 10.200.<n>.1/30, namespace side 10.200.<n>.2/30), nothing else. `cut()` / `heal()` take the host side link
// down and up. Needs root; `canCreateNetns()` says whether this machine allows it.
import { execFileSync } from "node:child_process";

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: "pipe" }).toString();

export interface TestNetns {
  readonly name: string;
  /** Address of the host side of the veth (listen here for processes in the namespace). */
  readonly hostAddr: string;
  readonly nsAddr: string;
  /** Command prefix that runs a program inside the namespace. */
  readonly exec: readonly string[];
  cut(): void;
  heal(): void;
  remove(): void;
}

/** Tries to create and delete a namespace; returns undefined when it works, else why not. */
export function netnsUnavailable(): string | undefined {
  const probe = `ltprobe${process.pid}`;
  try {
    ip("netns", "add", probe);
    ip("netns", "del", probe);
    return undefined;
  } catch (e) {
    return `network namespaces cannot be created here (${(e as Error).message.split("\n")[0]})`;
  }
}

/** Creates namespace `lt<n>` joined to the host by a veth pair on 10.200.<n>.0/30 (n in 1..250). */
export function makeNetns(n: number): TestNetns {
  const name = `ltfault${n}`;
  const host = `ltv${n}h`;
  const inner = `ltv${n}n`;
  const hostAddr = `10.200.${n}.1`;
  const nsAddr = `10.200.${n}.2`;
  // Leftovers of an earlier crashed run.
  try {
    ip("netns", "del", name);
  } catch {}
  try {
    ip("link", "del", host);
  } catch {}
  ip("netns", "add", name);
  try {
    ip("link", "add", host, "type", "veth", "peer", "name", inner);
    ip("link", "set", inner, "netns", name);
    ip("addr", "add", `${hostAddr}/30`, "dev", host);
    ip("link", "set", host, "up");
    ip("-n", name, "addr", "add", `${nsAddr}/30`, "dev", inner);
    ip("-n", name, "link", "set", inner, "up");
    ip("-n", name, "link", "set", "lo", "up");
  } catch (e) {
    try {
      ip("link", "del", host);
    } catch {}
    ip("netns", "del", name);
    throw e;
  }
  return {
    name,
    hostAddr,
    nsAddr,
    exec: ["ip", "netns", "exec", name],
    cut: () => ip("link", "set", host, "down"),
    heal: () => ip("link", "set", host, "up"),
    remove() {
      try {
        ip("link", "del", host);
      } catch {}
      try {
        ip("netns", "del", name);
      } catch {}
    },
  };
}
