// Process figures for snapshots: CPU share since the last sample, memory, event-loop delay p99 and utilisation.
import { type EventLoopUtilization, monitorEventLoopDelay, performance } from "node:perf_hooks";
import { EVENT_LOOP_RESOLUTION_MS } from "./timings.ts";

export class SystemSampler {
  readonly #loop = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  #cpu = process.cpuUsage();
  #at = process.hrtime.bigint();
  #elu: EventLoopUtilization = performance.eventLoopUtilization();

  constructor() {
    this.#loop.enable();
  }

  sample(): Record<string, number> {
    // One cpuUsage() call per sample (getrusage is ~0.5 ms in this container, profiled), the difference here.
    const now = process.cpuUsage();
    const cpu = { user: now.user - this.#cpu.user, system: now.system - this.#cpu.system };
    const at = process.hrtime.bigint();
    const wallUs = Number(at - this.#at) / 1000;
    this.#cpu = now;
    this.#at = at;
    const mem = process.memoryUsage();
    // Utilisation (busy share of the interval) says how close the loop is to saturation before delay grows.
    // One reading per sample, as for the CPU above: the next interval starts where this one ends.
    const eluNow = performance.eventLoopUtilization();
    const elu = performance.eventLoopUtilization(eluNow, this.#elu);
    this.#elu = eluNow;
    const out = {
      cpu_pct: wallUs > 0 ? round1(((cpu.user + cpu.system) / wallUs) * 100) : 0,
      rss_mb: round1(mem.rss / 1048576),
      heap_mb: round1(mem.heapUsed / 1048576),
      event_loop_p99_ms: round1(this.#loop.percentile(99) / 1e6),
      event_loop_utilization_pct: round1(elu.utilization * 100),
    };
    this.#loop.reset();
    return out;
  }

  stop(): void {
    this.#loop.disable();
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;
