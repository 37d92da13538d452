// A lane is one publisher connection: it sends payloads and tracks what is in flight. Two kinds: JetStream
// (js-lane.ts: pipelined publishes on a bounded window, acks, retries through a deadline) and core NATS
// (core-lane.ts: plain publishes with periodic flushes). This file holds what publishers and both lanes share.
import type { NatsConnection } from "@nats-io/transport-node";
import type { MessageShape } from "./message-shape.ts";
import type { PayloadFactory } from "./payload.ts";
import type { SlabFill } from "./payload-fill.ts";
import type { Gate } from "./scheduler.ts";
import { FrameWriter, rawProtocol } from "./wire.ts";

/** What a lane needs to know of a publisher to send its messages (one per publisher, made once). */
export interface PubTarget {
  /** The publisher's index in the share. */
  readonly pub: number;
  readonly subject: string;
  /** Payload bytes (header included). */
  readonly size: number;
  readonly source: number;
  readonly track: boolean;
  /** Payloads for the public `nc.publish` path. */
  readonly payloads: PayloadFactory;
  /** Lane-owned cache: the frame's constant bytes before and after the reply token (fast path). */
  head?: Uint8Array;
  tail?: Uint8Array;
  /** Lane-owned: false when this publisher must use the public path (odd subject, payload over max). */
  fast?: boolean;
}

export interface Lane extends Gate {
  /** Sends message `seq` of publisher `t`, intended at `intendedEpochMs`. */
  send(t: PubTarget, seq: number, intendedEpochMs: number): void;
  /** Resolves when nothing is in flight any more (or after `timeoutMs`, counting the rest as timeouts). */
  drain(timeoutMs: number): Promise<void>;
  close(): void;
  /** True when this lane publishes through the fast path (wire.ts), false when through `nc.publish`. */
  readonly fast: boolean;
}

export interface LaneOptions {
  /** Publish only through `nc.publish` (the client's public API), never the fast path (wire.ts). @default false */
  readonly publicPath?: boolean;
  /** What new slabs hold after each message's tracking header (`publishers.payload`). @default zeros */
  readonly fill?: SlabFill;
  /**
   * Sizes, headers and subjects that vary per message (message-shape.ts), for every publisher of the lane (one
   * stream's). Absent: each publisher's fixed size and subject, no headers (PubTarget).
   */
  readonly shape?: MessageShape;
}

const BAD_SUBJECT = /[\s]/;

/** Whether a publisher can use the fast path on `w` (a plain subject, a payload under the server's max). */
export function fastOk(w: FrameWriter | undefined, t: PubTarget): w is FrameWriter {
  if (!w) return false;
  if (t.fast === undefined) t.fast = t.subject.length > 0 && !BAD_SUBJECT.test(t.subject);
  return t.fast && t.size <= w.maxPayload;
}

/** The lane's writer of whole frames (the fast path), or undefined: publish through `nc.publish`. */
export function frameWriter(nc: NatsConnection, opts: LaneOptions): FrameWriter | undefined {
  const raw = opts.publicPath ? undefined : rawProtocol(nc);
  return raw ? new FrameWriter(nc, raw, opts.fill) : undefined;
}

/** Whether a shaped lane's largest message fits the fast path (else `nc.publish` refuses the ones too big). */
export function shapedFastOk(w: FrameWriter | undefined, s: MessageShape): w is FrameWriter {
  return w !== undefined && s.maxSize + s.hdrBytes <= w.maxPayload;
}
