import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, formatIssues, loadConfig, parseConfigText } from "../../src/config/index.ts";
import { CTX, edited, loadBad, loadOk, root, spec } from "../fixtures/config.ts";

const S = "load_test_specs[0]";

/** Each row: a change to a valid config, and the exact path of the one issue it causes. */
// biome-ignore lint/suspicious/noExplicitAny: edits reach into untyped JSON
const BAD: [string, (c: any) => void, string][] = [
  ["root is not an object", (c) => Object.assign(c, { load_test_specs: undefined }), "load_test_specs"],
  ["no specs", (c) => Object.assign(c, { load_test_specs: [] }), "load_test_specs"],
  [
    "stats interval 0",
    (c) => Object.assign(c, { stats_collection_interval_seconds: 0 }),
    "stats_collection_interval_seconds",
  ],
  ["spec name missing", (c) => delete c.load_test_specs[0].name, `${S}.name`],
  ["spec name empty", (c) => Object.assign(c.load_test_specs[0], { name: " " }), `${S}.name`],
  ["nats_url a number", (c) => Object.assign(c.load_test_specs[0], { nats_url: 4222 }), `${S}.nats_url`],
  [
    "nats_url bad scheme",
    (c) => Object.assign(c.load_test_specs[0], { nats_url: "http://h:4222" }),
    `${S}.nats_url`,
  ],
  [
    "nats_url stray comma",
    (c) => Object.assign(c.load_test_specs[0], { nats_url: "nats://a:1," }),
    `${S}.nats_url`,
  ],
  [
    "nats_url a redacted password",
    (c) => Object.assign(c.load_test_specs[0], { nats_url: "nats://load:***@h:4222" }),
    `${S}.nats_url`,
  ],
  [
    "nats_url a redacted token",
    (c) => Object.assign(c.load_test_specs[0], { nats_url: "nats://***@h:4222" }),
    `${S}.nats_url`,
  ],
  [
    "nats_nkey_file a number",
    (c) => Object.assign(c.load_test_specs[0], { nats_nkey_file: 1 }),
    `${S}.nats_nkey_file`,
  ],
  [
    "nats_creds_file and nats_nkey_file together",
    (c) => Object.assign(c.load_test_specs[0], { nats_creds_file: "/c.creds", nats_nkey_file: "/u.nk" }),
    `${S}.nats_nkey_file`,
  ],
  ["tls a string", (c) => Object.assign(c.load_test_specs[0], { tls: "/etc/nats/ca.pem" }), `${S}.tls`],
  [
    "tls ca_file a number",
    (c) => Object.assign(c.load_test_specs[0], { tls: { ca_file: 1 } }),
    `${S}.tls.ca_file`,
  ],
  ["tls unknown key", (c) => Object.assign(c.load_test_specs[0], { tls: { ca: "/ca.pem" } }), `${S}.tls.ca`],
  [
    "tls cert_file without key_file",
    (c) => Object.assign(c.load_test_specs[0], { tls: { cert_file: "/c.pem" } }),
    `${S}.tls.key_file`,
  ],
  [
    "tls key_file without cert_file",
    (c) => Object.assign(c.load_test_specs[0], { tls: { ca_file: "/ca.pem", key_file: "/c.key" } }),
    `${S}.tls.cert_file`,
  ],
  [
    "tls cert_file with an empty key_file",
    (c) => Object.assign(c.load_test_specs[0], { tls: { cert_file: "/c.pem", key_file: " " } }),
    `${S}.tls.key_file`,
  ],
  [
    "use_jetstream a string",
    (c) => Object.assign(c.load_test_specs[0], { use_jetstream: "yes" }),
    `${S}.use_jetstream`,
  ],
  ["streams empty", (c) => Object.assign(c.load_test_specs[0], { streams: [] }), `${S}.streams`],
  [
    "stream count 0",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { count: 0 }),
    `${S}.streams[0].count`,
  ],
  [
    "stream count 10001",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { count: 10_001 }),
    `${S}.streams[0].count`,
  ],
  [
    "replicas 0",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { replicas: 0 }),
    `${S}.streams[0].replicas`,
  ],
  [
    "replicas 6",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { replicas: 6 }),
    `${S}.streams[0].replicas`,
  ],
  [
    "no subjects",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { subjects: [] }),
    `${S}.streams[0].subjects`,
  ],
  [
    "subject not a string",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { subjects: [1] }),
    `${S}.streams[0].subjects[0]`,
  ],
  [
    "name_prefix with a dot",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { name_prefix: "a.b" }),
    `${S}.streams[0].name_prefix`,
  ],
  [
    "stream cap negative",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { messages_per_stream_per_second: -1 }),
    `${S}.streams[0].messages_per_stream_per_second`,
  ],
  [
    "max_msgs -2",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { max_msgs: -2 }),
    `${S}.streams[0].max_msgs`,
  ],
  [
    "max_bytes 1.5",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { max_bytes: 1.5 }),
    `${S}.streams[0].max_bytes`,
  ],
  [
    "max_msgs_per_subject -2",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { max_msgs_per_subject: -2 }),
    `${S}.streams[0].max_msgs_per_subject`,
  ],
  [
    "max_consumers -2",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { max_consumers: -2 }),
    `${S}.streams[0].max_consumers`,
  ],
  [
    "max_consumers below consumers",
    (c) => {
      Object.assign(c.load_test_specs[0].streams[0], { max_consumers: 1 });
      c.load_test_specs[0].consumers.count_per_stream = 2;
    },
    `${S}.streams[0].max_consumers`,
  ],
  [
    "discard_new_per_subject with old",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { discard_new_per_subject: true }),
    `${S}.streams[0].discard_new_per_subject`,
  ],
  [
    "discard_new_per_subject without a per-subject limit",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { discard: "new", discard_new_per_subject: true }),
    `${S}.streams[0].discard_new_per_subject`,
  ],
  [
    "several streams on one subject",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { count: 2, subjects: ["x"] }),
    `${S}.streams[0].subjects[0]`,
  ],
  [
    "wildcard first subject",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { subjects: ["a.{}.>"] }),
    `${S}.streams[0].subjects[0]`,
  ],
  [
    "publisher count -1",
    (c) => Object.assign(c.load_test_specs[0].publishers, { count_per_stream: -1 }),
    `${S}.publishers.count_per_stream`,
  ],
  [
    "publish rate 0",
    (c) => Object.assign(c.load_test_specs[0].publishers, { publish_rate_per_second: 0 }),
    `${S}.publishers.publish_rate_per_second`,
  ],
  [
    "publish rate 10,000,001",
    (c) => Object.assign(c.load_test_specs[0].publishers, { publish_rate_per_second: 10_000_001 }),
    `${S}.publishers.publish_rate_per_second`,
  ],
  [
    "burst 0",
    (c) => Object.assign(c.load_test_specs[0].publishers, { publish_burst_size: 0 }),
    `${S}.publishers.publish_burst_size`,
  ],
  [
    "message size 0",
    (c) => Object.assign(c.load_test_specs[0].publishers, { message_size_bytes: 0 }),
    `${S}.publishers.message_size_bytes`,
  ],
  [
    "message size 64 MiB + 1",
    (c) => Object.assign(c.load_test_specs[0].publishers, { message_size_bytes: 64 * 1024 * 1024 + 1 }),
    `${S}.publishers.message_size_bytes`,
  ],
  [
    "track_latency missing",
    (c) => delete c.load_test_specs[0].publishers.track_latency,
    `${S}.publishers.track_latency`,
  ],
  [
    "publisher prefix matches no stream",
    (c) => {
      Object.assign(c.load_test_specs[0].publishers, { stream_name_prefix: "zz" });
      c.load_test_specs[0].consumers.stream_name_prefix = "zz";
    },
    `${S}.publishers.stream_name_prefix`,
  ],
  [
    "prefixes differ",
    (c) => Object.assign(c.load_test_specs[0].consumers, { stream_name_prefix: "other" }),
    `${S}.consumers.stream_name_prefix`,
  ],
  [
    "ack_wait 0",
    (c) => Object.assign(c.load_test_specs[0].consumers, { ack_wait_seconds: 0 }),
    `${S}.consumers.ack_wait_seconds`,
  ],
  [
    "max_ack_pending 0",
    (c) => Object.assign(c.load_test_specs[0].consumers, { max_ack_pending: 0 }),
    `${S}.consumers.max_ack_pending`,
  ],
  [
    "consume delay -1",
    (c) => Object.assign(c.load_test_specs[0].consumers, { consume_delay_ms: -1 }),
    `${S}.consumers.consume_delay_ms`,
  ],
  [
    "durable with a space",
    (c) => Object.assign(c.load_test_specs[0].consumers, { durable_name_prefix: "a b" }),
    `${S}.consumers.durable_name_prefix`,
  ],
  [
    "workqueue without acks",
    (c) => {
      Object.assign(c.load_test_specs[0].streams[0], { retention: "workqueue" });
      c.load_test_specs[0].consumers.ack_policy = "none";
    },
    `${S}.consumers.ack_policy`,
  ],
  [
    "workqueue with 2 consumers",
    (c) => {
      Object.assign(c.load_test_specs[0].streams[0], { retention: "workqueue" });
      c.load_test_specs[0].consumers.count_per_stream = 2;
    },
    `${S}.consumers.count_per_stream`,
  ],
  [
    "duration 0",
    (c) => Object.assign(c.load_test_specs[0].behavior, { duration_seconds: 0 }),
    `${S}.behavior.duration_seconds`,
  ],
  [
    "ramp -1",
    (c) => Object.assign(c.load_test_specs[0].behavior, { ramp_up_seconds: -1 }),
    `${S}.behavior.ramp_up_seconds`,
  ],
  [
    "log max_lines -2",
    (c) => Object.assign(c.load_test_specs[0], { log_limits: { max_lines: -2 } }),
    `${S}.log_limits.max_lines`,
  ],
  ["storage path empty", (c) => Object.assign(c, { storage: { path: "" } }), "storage.path"],
  [
    "repeat enabled a string",
    (c) => Object.assign(c, { repeat_policy: { enabled: "true" } }),
    "repeat_policy.enabled",
  ],
  [
    "multiplier a string",
    (c) => Object.assign(c, { repeat_policy: { streams: { count_multiplier: "2" } } }),
    "repeat_policy.streams.count_multiplier",
  ],
  [
    "duplicate spec names",
    (c) => c.load_test_specs.push(structuredClone(c.load_test_specs[0])),
    "load_test_specs[1].name",
  ],
  [
    "too many publishers",
    (c) => {
      Object.assign(c.load_test_specs[0].streams[0], { count: 1000 });
      c.load_test_specs[0].publishers.count_per_stream = 101;
    },
    `${S}.publishers.count_per_stream`,
  ],
];

describe("config - bad inputs, each with its exact path", () => {
  for (const [what, edit, path] of BAD) {
    it(`${what} -> ${path}`, () => {
      const issues = loadBad(edited(root(), edit));
      assert.deepEqual(
        issues.map((i) => i.path),
        [path],
        formatIssues(issues),
      );
    });
  }
});

describe("config - messages", () => {
  it("an enum error shows what was expected and what was found", () => {
    const c = edited(root(), (x) => {
      x.load_test_specs[0].consumers.ack_policy = "manual";
    });
    assert.equal(
      formatIssues(loadBad(c)),
      'load_test_specs[0].consumers.ack_policy: expected "explicit" | "none" | "all", got "manual"',
    );
  });

  it("every problem is reported at once", () => {
    const c = edited(root(), (x) => {
      x.load_test_specs[0].consumers.ack_policy = "manual";
      x.load_test_specs[0].streams[0].count = 0;
      x.load_test_specs[0].behavior.ramp_up_seconds = -1;
      x.storage = { type: "s3" };
    });
    assert.equal(loadBad(c).length, 4);
  });

  it("unknown keys are errors at every level, each reported, with a did-you-mean hint", () => {
    const c = edited(root(), (x) => {
      x.load_test_spec = [];
      x.load_test_specs[0].streams[0].replica = 1;
      x.load_test_specs[0].consumers.durable_prefix = "x";
      x.load_test_specs[0].consumers.extra = 1;
      x.repeat_policy = { streams: { count_multipler: 2 } };
    });
    const issues = loadBad(c);
    assert.deepEqual(issues.map((i) => i.path).sort(), [
      "load_test_spec",
      "load_test_specs[0].consumers.durable_prefix",
      "load_test_specs[0].consumers.extra",
      "load_test_specs[0].streams[0].replica",
      "repeat_policy.streams.count_multipler",
    ]);
    const byPath = new Map(issues.map((i) => [i.path, i.message]));
    assert.equal(
      byPath.get("load_test_specs[0].streams[0].replica"),
      'unknown key "replica" (did you mean "replicas"?)',
    );
    assert.match(byPath.get("load_test_specs[0].consumers.extra")!, /^unknown key "extra" \(known keys: /);
  });

  it("nkey - nats_creds_file and nats_nkey_file together is one error naming both", () => {
    const c = edited(root(), (x) => {
      Object.assign(x.load_test_specs[0], { nats_creds_file: "/c.creds", nats_nkey_file: "/u.nk" });
    });
    assert.equal(
      formatIssues(loadBad(c)),
      "load_test_specs[0].nats_nkey_file: nats_creds_file and nats_nkey_file are two ways to authenticate; set one of them (a .creds file already holds its nkey seed)",
    );
  });

  it("nkey - a blank nats_nkey_file beside nats_creds_file means no nkey file (as an unset variable with an empty default gives)", () => {
    const c = edited(root(), (x) => {
      Object.assign(x.load_test_specs[0], { nats_creds_file: "/c.creds", nats_nkey_file: " " });
    });
    const s = loadOk(c).plan.steps[0]!.spec;
    assert.equal(s.credsFile, "/c.creds");
    assert.equal(s.nkeyFile, undefined);
  });

  it("tls - a client certificate without its key names both fields", () => {
    const c = edited(root(), (x) => {
      x.load_test_specs[0].tls = { cert_file: "/etc/nats/client.pem" };
    });
    assert.equal(
      formatIssues(loadBad(c)),
      "load_test_specs[0].tls.key_file: tls.cert_file and tls.key_file go together (a client certificate and its private key); key_file is missing",
    );
  });

  it("tls - a misspelt key in tls is an unknown key with a did-you-mean hint", () => {
    const c = edited(root(), (x) => {
      x.load_test_specs[0].tls = { cert_fil: "/c.pem", key_file: "/c.key" };
    });
    const byPath = new Map(loadBad(c).map((i) => [i.path, i.message]));
    assert.equal(
      byPath.get("load_test_specs[0].tls.cert_fil"),
      'unknown key "cert_fil" (did you mean "cert_file"?)',
    );
  });

  it("the prefix mismatch message is the original's", () => {
    const c = edited(root(), (x) => {
      x.load_test_specs[0].consumers.stream_name_prefix = "y";
    });
    assert.deepEqual(loadBad(c), [
      {
        path: "load_test_specs[0].consumers.stream_name_prefix",
        message: "publisher stream_name_prefix 's' must match consumer stream_name_prefix 'y'",
      },
    ]);
  });

  it("limits name the limit", () => {
    const c = edited(root(), (x) => {
      x.load_test_specs[0].publishers.publish_rate_per_second = 20_000_000;
    });
    assert.match(loadBad(c)[0]!.message, /expected <= 10,000,000 \(limit\), got 20000000/);
  });

  it("a URL whose password was redacted by history --show says so and how to fix it", () => {
    const c = edited(root(), (x) => {
      x.load_test_specs[0].nats_url = "nats://load:***@h:4222";
    });
    assert.match(
      loadBad(c)[0]!.message,
      /redacted copy \(ltctl history --show hides secrets\).*\$\{NATS_PASSWORD\}/,
    );
    const real = edited(root(), (x) => {
      x.load_test_specs[0].nats_url = "nats://load:s3cret@h:4222";
    });
    assert.ok(loadConfig(real, CTX).ok, "a real password is fine");
  });

  it("a JSON syntax error is an issue at $ with line and column", () => {
    const r = parseConfigText('{\n  "load_test_specs": [,]\n}', CTX);
    assert.ok(!r.ok);
    assert.deepEqual(r.issues, [
      { path: "$", message: 'invalid JSON at line 2, column 23: unexpected ",", expected a value' },
    ]);
  });

  it("a document that is not an object is an issue at $", () => {
    const r = loadConfig([1], CTX);
    assert.ok(!r.ok);
    assert.equal(r.issues[0]!.path, "$");
  });

  it("ConfigError carries the issues and its name", () => {
    const e = new ConfigError([{ path: "a", message: "b" }]);
    assert.equal(e.name, "ConfigError");
    assert.deepEqual(e.issues, [{ path: "a", message: "b" }]);
    assert.match(e.message, /a: b/);
    assert.ok(e instanceof Error);
  });
});

describe("config - deliberate differences from the original", () => {
  it("count_per_stream 0 means no publishers or no consumers", () => {
    const c = edited(root(), (x) => {
      x.load_test_specs[0].publishers.count_per_stream = 0;
      x.load_test_specs[0].consumers.count_per_stream = 0;
    });
    const s = loadOk(c).plan.steps[0]!.spec;
    assert.equal(s.publishers.length, 0);
    assert.equal(s.consumers.length, 0);
    assert.equal(s.streams.length, 1);
  });

  it("messages_per_stream_per_second below the publishers' sum scales them down and warns", () => {
    const c = edited(root(), (x) => {
      x.load_test_specs[0].publishers.count_per_stream = 4;
      x.load_test_specs[0].publishers.publish_rate_per_second = 1000;
      x.load_test_specs[0].streams[0].messages_per_stream_per_second = 1000;
    });
    const r = loadOk(c);
    assert.deepEqual(
      r.plan.steps[0]!.spec.publishers.map((p) => p.ratePerSec),
      [250, 250, 250, 250],
    );
    assert.equal(r.plan.steps[0]!.spec.streams[0]!.messagesPerSecondCap, 1000);
    assert.match(
      r.warnings.join("\n"),
      /messages_per_stream_per_second 1000 is below 4 publishers x 1000\/s = 4000\/s; each publisher is scaled down to 250\/s/,
    );
  });

  it("messages_per_stream_per_second above the publishers' sum (as real configs have) changes nothing", () => {
    const c = edited(root(), (x) => {
      x.load_test_specs[0].streams[0].messages_per_stream_per_second = 1_000_000;
    });
    const r = loadOk(c);
    assert.equal(r.plan.steps[0]!.spec.publishers[0]!.ratePerSec, 100);
    assert.deepEqual(r.warnings, []);
  });

  it("a message above 1 MiB validates with a warning about the server's max_payload", () => {
    const c = edited(root(), (x) => {
      x.load_test_specs[0].publishers.message_size_bytes = 2 * 1024 * 1024;
    });
    assert.match(loadOk(c).warnings.join("\n"), /max_payload/);
  });

  it("a ramp longer than the duration warns", () => {
    const c = edited(root(), (x) => {
      x.load_test_specs[0].behavior = { duration_seconds: 10, ramp_up_seconds: 20 };
    });
    assert.match(loadOk(c).warnings.join("\n"), /never reached/);
  });

  it("a config of the original's with every field set validates", () => {
    const full = spec({
      nats_creds_file: "/c.creds",
      tls: { ca_file: "/ca.pem", cert_file: "/c.pem", key_file: "/c.key" },
      use_jetstream: true,
      client_id_prefix: "x",
      log_limits: { max_lines: 1000, max_bytes: 1_000_000 },
    });
    const c = edited(
      root({ stats_collection_interval_seconds: 10, storage: { type: "file", path: "/tmp/s.log" } }, [full]),
      (x) => {
        Object.assign(x.load_test_specs[0].streams[0], {
          messages_per_stream_per_second: 1_000_000,
          retention: "interest",
          max_age: "2h30m",
          storage: "file",
          discard_new_per_subject: true,
          discard: "new",
          max_msgs: 1,
          max_bytes: 2,
          max_msgs_per_subject: 3,
          max_consumers: 4,
        });
        Object.assign(x.load_test_specs[0].publishers, { publish_pattern: "random", publish_burst_size: 10 });
        Object.assign(x.load_test_specs[0].consumers, {
          type: "push",
          consume_delay_ms: 5,
          ack_policy: "all",
        });
        x.repeat_policy = { enabled: false, streams: { count_multiplier: 1.5 } };
      },
    );
    loadOk(c);
  });
});
