// CPU cost of a section of code in this process: process.cpuUsage() before and after.

export interface CpuCost {
  readonly userUs: number;
  readonly sysUs: number;
  /** user + sys, µs. */
  readonly totalUs: number;
  readonly wallS: number;
  /** totalUs / messages, when a message count was given. */
  readonly usPerMsg: number | undefined;
}

/**
 * Runs `fn` and reports the user+sys CPU this process spent meanwhile (all threads, so worker_threads
 * count; child processes and the nats-server do not). `msgs` is a count or a function of fn's value.
 */
export async function measureCpu<T>(
  fn: () => Promise<T> | T,
  msgs?: number | ((value: T) => number),
): Promise<{ value: T; cpu: CpuCost }> {
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const value = await fn();
  const d = process.cpuUsage(cpu0);
  const wallS = (performance.now() - wall0) / 1000;
  const n = typeof msgs === "function" ? msgs(value) : msgs;
  const totalUs = d.user + d.system;
  return {
    value,
    cpu: {
      userUs: d.user,
      sysUs: d.system,
      totalUs,
      wallS,
      usPerMsg: n !== undefined && n > 0 ? totalUs / n : undefined,
    },
  };
}
