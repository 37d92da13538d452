// A share's connections to the NATS under test: how its clients are grouped onto them (connections.ts: one per
// stream for its publishers, one for its consumers, another every PER_CONNECTION clients), their reconnects,
// and their NATS figures (`nats.*` of a snapshot), which outlive the connections that close.
import type { NatsConnection } from "@nats-io/transport-node";
import { type ConnectTarget, open, PER_CONNECTION, watchStatus } from "./connections.ts";
import type { Counters } from "./metrics.ts";

/** The clients of one connection: up to PER_CONNECTION of one stream; `n` numbers the stream's connections from 1. */
export interface ConnectionGroup<T> {
  readonly stream: string;
  readonly n: number;
  readonly items: readonly T[];
}

/** Groups clients by stream (in first-seen order), then in runs of PER_CONNECTION. */
export function connectionGroups<T extends { readonly stream: string }>(
  items: readonly T[],
): ConnectionGroup<T>[] {
  const byStream = new Map<string, T[]>();
  for (const it of items) {
    const list = byStream.get(it.stream);
    if (list) list.push(it);
    else byStream.set(it.stream, [it]);
  }
  const out: ConnectionGroup<T>[] = [];
  for (const [stream, list] of byStream) {
    for (let g = 0; g < list.length; g += PER_CONNECTION) {
      out.push({ stream, n: g / PER_CONNECTION + 1, items: list.slice(g, g + PER_CONNECTION) });
    }
  }
  return out;
}

export class ShareConnections {
  readonly #target: ConnectTarget;
  readonly #conns: NatsConnection[] = [];
  #reconnects = 0;
  /** The figures of connections already closed. */
  readonly #closed = { inMsgs: 0, outMsgs: 0, inBytes: 0, outBytes: 0 };

  constructor(target: ConnectTarget) {
    this.#target = target;
  }

  /** Opens connection `name`, counting its reconnects; `permission` hears of each permission violation. */
  async open(name: string, permission: (subject: string, op: string) => void): Promise<NatsConnection> {
    const nc = await open(this.#target, name);
    this.#conns.push(nc);
    watchStatus(nc, { reconnect: () => this.#reconnects++, permission });
    return nc;
  }

  /** Writes the NATS counters (reconnects, in/out messages and bytes of every connection, closed ones too). */
  count(c: Counters): void {
    c.reconnects = this.#reconnects;
    const st = { ...this.#closed };
    for (const nc of this.#conns) {
      if (nc.isClosed()) continue;
      const s = nc.stats();
      st.inMsgs += s.inMsgs;
      st.outMsgs += s.outMsgs;
      st.inBytes += s.inBytes;
      st.outBytes += s.outBytes;
    }
    c.in_msgs = st.inMsgs;
    c.out_msgs = st.outMsgs;
    c.in_bytes = st.inBytes;
    c.out_bytes = st.outBytes;
  }

  /** Flushes and closes every connection, keeping its figures. */
  async close(): Promise<void> {
    for (const nc of this.#conns) {
      if (nc.isClosed()) continue;
      const s = nc.stats();
      await nc.flush().catch(() => {});
      this.#closed.inMsgs += s.inMsgs;
      this.#closed.outMsgs += s.outMsgs;
      this.#closed.inBytes += s.inBytes;
      this.#closed.outBytes += s.outBytes;
      await nc.close().catch(() => {});
    }
  }
}
