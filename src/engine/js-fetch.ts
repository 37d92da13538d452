// `pull_mode: "fetch"`: a consumer that asks for its messages one batch at a time (nats.js `fetch()`), as an
// application polling a stream does, instead of the continuous pull of `consume()`: each fetch asks for
// `fetch_batch` messages (or, instead, up to `fetch_max_bytes`: nats.js takes one of the two), waits up to `fetch_expires_ms`, hands every message to
// the consumer's state, and the next fetch starts when it ended. A fetch that fails (no responders mid-election,
// a consumer gone) counts `fetch_failed` in errors.consume and the loop asks again after a short pause, until
// the share closes. Durable pull and ordered consumers both fetch this way.
import {
  type Consumer,
  type ConsumerMessages,
  type FetchOptions,
  JetStreamError,
  type JsMsg,
} from "@nats-io/jetstream";
import type { ConsumerKind } from "../config/index.ts";
import { sleep, withTimeout } from "./clock.ts";
import { END_INFO_TIMEOUT_MS } from "./timings.ts";

/** After a failed fetch, ask again this soon (long enough not to spin on a dead server). */
const FETCH_RETRY_PAUSE_MS = 250;

export class FetchLoop {
  readonly #consumer: Consumer;
  readonly #opts: FetchOptions;
  readonly #byBytes: boolean;
  readonly #onMessage: (m: JsMsg) => void;
  readonly #onStatus: (type: string) => void;
  #closing = false;
  #current: ConsumerMessages | undefined;
  readonly #done: Promise<void>;

  constructor(
    consumer: Consumer,
    k: Pick<ConsumerKind, "fetchBatch" | "fetchMaxBytes" | "fetchExpiresMs">,
    onMessage: (m: JsMsg) => void,
    onStatus: (type: string) => void,
  ) {
    this.#consumer = consumer;
    this.#opts =
      k.fetchMaxBytes === undefined
        ? { max_messages: k.fetchBatch, expires: k.fetchExpiresMs }
        : { max_bytes: k.fetchMaxBytes, expires: k.fetchExpiresMs };
    this.#byBytes = k.fetchMaxBytes !== undefined;
    this.#onMessage = onMessage;
    this.#onStatus = onStatus;
    this.#done = this.#run();
  }

  async #run(): Promise<void> {
    while (!this.#closing) {
      let got = 0;
      try {
        const msgs = await this.#consumer.fetch(this.#opts);
        this.#current = msgs;
        if (this.#closing) msgs.stop();
        for await (const m of msgs) {
          got++;
          this.#onMessage(m);
        }
      } catch (err) {
        if (this.#closing) return;
        // A fetch by bytes ends with a 409 when the next message no longer fits (nats.js throws it after the
        // messages that did): that batch is done, not failed.
        if (this.#byBytes && got > 0 && statusOf(err) === 409) continue;
        this.#onStatus("fetch_failed");
        await sleep(FETCH_RETRY_PAUSE_MS);
      }
    }
  }

  /** Stops: the fetch in progress ends (what it still brings is not received), no new one starts. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#current?.stop();
    await withTimeout(this.#done, END_INFO_TIMEOUT_MS).catch(() => {});
  }
}

/** The status code of a JetStream status error (nats.js' JetStreamStatusError, not exported by its door). */
function statusOf(err: unknown): number | undefined {
  if (!(err instanceof JetStreamError)) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}
