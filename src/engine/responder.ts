// One responder of a request/reply service: a NATS micro service instance written on plain subscriptions (why
// not @nats-io/services: docs/workloads.md, "Request/reply services"). It answers requests on the service's
// subject in its queue group, echoing the payload after a service time drawn uniform in [min, max] ms, and
// answers the micro protocol's discovery subjects itself (`$SRV.PING|INFO|STATS`, bare, `.<name>` and
// `.<name>.<id>`) with the protocol's JSON, so `nats micro ls|info|stats` and any `$SRV` client see it.
import { performance } from "node:perf_hooks";
import { type Msg, type NatsConnection, nuid, type Subscription } from "@nats-io/transport-node";
import type { ServicesConfig } from "../config/index.ts";
import { replyBytes } from "./ack-writer.ts";
import type { ShareMetrics } from "./metrics.ts";
import { categorize } from "./publish-errors.ts";
import type { ReplyWriter } from "./reply-writer.ts";

const VERBS = ["PING", "INFO", "STATS"] as const;
type Verb = (typeof VERBS)[number];

/** The micro protocol's response types (ADR-32). */
const TYPES: Record<Verb, string> = {
  PING: "io.nats.micro.v1.ping_response",
  INFO: "io.nats.micro.v1.info_response",
  STATS: "io.nats.micro.v1.stats_response",
};

export class Responder {
  /** This instance's id in `$SRV` (a nuid, as the micro libraries make). */
  readonly id = nuid.next();
  readonly #svc: ServicesConfig;
  readonly #m: ShareMetrics;
  readonly #subs: Subscription[] = [];
  readonly #pending = new Set<NodeJS.Timeout>();
  readonly #started = new Date().toISOString();
  #requests = 0;
  #errors = 0;
  #lastError = "";
  /** Nanoseconds from receipt to reply, summed over the requests answered. */
  #processingNs = 0;
  #stopped = false;
  /** Its connection's reply frames (reply-writer.ts); without one, replies go through `msg.respond`. */
  readonly #w: ReplyWriter | undefined;

  constructor(nc: NatsConnection, svc: ServicesConfig, m: ShareMetrics, w?: ReplyWriter) {
    this.#svc = svc;
    this.#m = m;
    this.#w = w;
    const r = svc.responders;
    this.#subs.push(
      nc.subscribe(svc.subject, {
        queue: r.queue_group,
        callback: (_err, msg) => this.#onRequest(msg),
      }),
    );
    // Discovery is not in a queue group: every instance answers (a PING to `$SRV.PING` lists them all).
    for (const verb of VERBS) {
      for (const subject of [
        `$SRV.${verb}`,
        `$SRV.${verb}.${svc.name}`,
        `$SRV.${verb}.${svc.name}.${this.id}`,
      ]) {
        this.#subs.push(nc.subscribe(subject, { callback: (_err, msg) => this.#discover(verb, msg) }));
      }
    }
  }

  #onRequest(msg: Msg): void {
    if (this.#stopped) return;
    const t0 = performance.now();
    const { min, max } = this.#svc.responders.service_time_ms;
    const ms = max > 0 ? min + Math.random() * (max - min) : 0;
    const reply = this.#w ? replyBytes(msg) : undefined;
    if (ms <= 0) {
      this.#answer(msg, msg.data, t0, reply);
      return;
    }
    // Copies: the payload and the reply subject's bytes may be views of a socket read that later reads reuse.
    this.#after(ms, t0, msg, msg.data.slice(), reply?.slice());
  }

  /**
   * Answers once `ms` have passed since `t0`. Node's timers count from the event loop's cached time, so one can
   * fire up to a millisecond early: the rest is waited again, so no request is served faster than its draw.
   */
  #after(ms: number, t0: number, msg: Msg, data: Uint8Array, reply: Uint8Array | undefined): void {
    const left = ms - (performance.now() - t0);
    if (left <= 0) {
      this.#answer(msg, data, t0, reply);
      return;
    }
    const timer = setTimeout(() => {
      this.#pending.delete(timer);
      if (!this.#stopped) this.#after(ms, t0, msg, data, reply);
    }, left);
    this.#pending.add(timer);
  }

  /** Replies with the request's payload; counts it as served (and in `$SRV` stats) once it left. */
  #answer(msg: Msg, data: Uint8Array, t0: number, reply: Uint8Array | undefined): void {
    try {
      if (reply && this.#w) this.#w.reply(reply, data);
      else if (!msg.respond(data)) return;
    } catch (err) {
      this.#errors++;
      this.#lastError = (err as Error).message;
      this.#m.publishError(categorize(err));
      return;
    }
    this.#requests++;
    this.#processingNs += Math.round((performance.now() - t0) * 1e6);
    this.#m.counts.served++;
  }

  #discover(verb: Verb, msg: Msg): void {
    try {
      msg.respond(JSON.stringify(this.info(verb)));
    } catch {
      // A discovery reply that cannot leave (connection closing) is nobody's measurement.
    }
  }

  /** The micro protocol's response to `verb`. */
  info(verb: Verb): Record<string, unknown> {
    const svc = this.#svc;
    const base = { type: TYPES[verb], name: svc.name, id: this.id, version: svc.version, metadata: {} };
    const endpoint = { name: svc.name, subject: svc.subject, queue_group: svc.responders.queue_group };
    if (verb === "PING") return base;
    if (verb === "INFO") {
      return {
        ...base,
        description: "nats-lt load test responder (echo after the configured service time)",
        endpoints: [{ ...endpoint, metadata: {} }],
      };
    }
    const n = this.#requests;
    return {
      ...base,
      started: this.#started,
      endpoints: [
        {
          ...endpoint,
          num_requests: n,
          num_errors: this.#errors,
          last_error: this.#lastError,
          processing_time: this.#processingNs,
          average_processing_time: n > 0 ? Math.round(this.#processingNs / n) : 0,
        },
      ],
    };
  }

  /** Stops answering (the step's end): requests waiting out their service time are dropped unanswered. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const t of this.#pending) clearTimeout(t);
    this.#pending.clear();
    for (const s of this.#subs) s.unsubscribe();
  }
}
