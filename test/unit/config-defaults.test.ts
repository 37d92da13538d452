// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tls tests write ${VAR} in file names
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { edited, loadBad, loadOk, root, spec } from "../fixtures/config.ts";

describe("config - defaults", () => {
  const { config } = loadOk(root());
  const s = config.load_test_specs[0]!;
  const st = s.streams[0]!;

  it("root defaults: repeat disabled, badger storage, stats every 5 s", () => {
    assert.equal(config.repeat_policy.enabled, false);
    assert.deepEqual(config.storage, { type: "badger", path: "./load_test_stats.db" });
    assert.equal(config.stats_collection_interval_seconds, 5);
  });

  it("spec defaults: no creds, no nkey, no tls, core NATS, client id prefix load-tester, no log limits", () => {
    assert.equal(s.nats_creds_file, "");
    assert.equal(s.nats_nkey_file, "");
    assert.equal(s.tls, undefined);
    assert.equal(s.use_jetstream, false);
    assert.equal(s.client_id_prefix, "load-tester");
    assert.equal(s.log_limits, undefined);
  });

  it("stream defaults: limits retention, max_age 1m, memory, discard old, limits -1, no cap", () => {
    assert.equal(st.retention, "limits");
    assert.equal(st.max_age, "1m");
    assert.equal(st.storage, "memory");
    assert.equal(st.discard, "old");
    assert.equal(st.discard_new_per_subject, false);
    assert.equal(st.max_msgs, -1);
    assert.equal(st.max_bytes, -1);
    assert.equal(st.max_msgs_per_subject, -1);
    assert.equal(st.max_consumers, -1);
    assert.equal(st.messages_per_stream_per_second, 0);
  });

  it("publisher and consumer defaults: burst size 1, consume delay 0", () => {
    assert.equal(s.publishers.publish_burst_size, 1);
    assert.equal(s.consumers.consume_delay_ms, 0);
  });

  it("repeat policy defaults: every multiplier 1.0 and at most 10 iterations", () => {
    const rp = config.repeat_policy;
    assert.deepEqual(rp.streams, {
      count_multiplier: 1,
      replicas_multiplier: 1,
      messages_per_stream_per_second_multiplier: 1,
    });
    assert.deepEqual(rp.publishers, {
      count_per_stream_multiplier: 1,
      publish_rate_multiplier: 1,
      message_size_bytes_multiplier: 1,
    });
    assert.deepEqual(rp.consumers, {
      count_per_stream_multiplier: 1,
      ack_wait_multiplier: 1,
      max_ack_pending_multiplier: 1,
      consume_delay_multiplier: 1,
    });
    assert.deepEqual(rp.behavior, { duration_multiplier: 1, ramp_up_multiplier: 1 });
    assert.equal(rp.max_iterations, 10);
    assert.equal(rp.max_total_duration, undefined);
  });

  it("storage path defaults by type: badger, file, stdout; an explicit path wins", () => {
    const path = (storage: object) => loadOk(root({ storage })).config.storage.path;
    assert.equal(path({ type: "badger" }), "./load_test_stats.db");
    assert.equal(path({ type: "file" }), "./load_test_stats.log");
    assert.equal(path({ type: "stdout" }), "/dev/stdout");
    assert.equal(path({}), "./load_test_stats.db");
    assert.equal(path({ type: "file", path: "/tmp/x.log" }), "/tmp/x.log");
  });

  it("discard_new_per_subject defaults to true with discard new and a per-subject limit, else false", () => {
    const dnps = (stream: object) =>
      loadOk(root({}, [edited(spec(), (c) => Object.assign(c.streams[0], stream))])).config
        .load_test_specs[0]!.streams[0]!.discard_new_per_subject;
    assert.equal(dnps({ discard: "new", max_msgs_per_subject: 10 }), true);
    assert.equal(dnps({ discard: "new" }), false);
    assert.equal(dnps({ discard: "old" }), false);
    assert.equal(dnps({ discard: "new", max_msgs_per_subject: 10, discard_new_per_subject: false }), false);
  });

  it("log_limits keeps max_lines and max_bytes", () => {
    const c = loadOk(root({}, [spec({ log_limits: { max_lines: 100, max_bytes: 4096 } })])).config;
    assert.deepEqual(c.load_test_specs[0]!.log_limits, { max_lines: 100, max_bytes: 4096 });
  });
});

describe("config - enums", () => {
  // biome-ignore lint/suspicious/noExplicitAny: edits reach into untyped JSON
  const cases: { field: string; at: (c: any) => [object, string]; valid: string[]; expected: string }[] = [
    {
      field: "streams[0].retention",
      at: (c) => [c.streams[0], "retention"],
      valid: ["limits", "interest", "workqueue"],
      expected: '"limits" | "interest" | "workqueue"',
    },
    {
      field: "streams[0].storage",
      at: (c) => [c.streams[0], "storage"],
      valid: ["memory", "file"],
      expected: '"memory" | "file"',
    },
    {
      field: "streams[0].discard",
      at: (c) => [c.streams[0], "discard"],
      valid: ["old", "new"],
      expected: '"old" | "new"',
    },
    {
      field: "publishers.publish_pattern",
      at: (c) => [c.publishers, "publish_pattern"],
      valid: ["steady", "random"],
      expected: '"steady" | "random"',
    },
    {
      field: "consumers.type",
      at: (c) => [c.consumers, "type"],
      valid: ["push", "pull", "ordered"],
      expected: '"push" | "pull" | "ordered"',
    },
    {
      field: "consumers.ack_policy",
      at: (c) => [c.consumers, "ack_policy"],
      valid: ["explicit", "none", "all"],
      expected: '"explicit" | "none" | "all"',
    },
  ];
  for (const { field, at, valid, expected } of cases) {
    it(`${field} accepts ${valid.join(", ")} and names them when given "bogus"`, () => {
      for (const value of valid) {
        const s = edited(spec(), (c) => {
          const [obj, key] = at(c);
          (obj as Record<string, unknown>)[key] = value;
        });
        loadOk(root({}, [s]));
      }
      const bad = edited(spec(), (c) => {
        const [obj, key] = at(c);
        (obj as Record<string, unknown>)[key] = "bogus";
      });
      assert.deepEqual(loadBad(root({}, [bad])), [
        { path: `load_test_specs[0].${field}`, message: `expected ${expected}, got "bogus"` },
      ]);
    });
  }

  it('storage.type accepts file, badger, stdout and names them when given "redis"', () => {
    for (const type of ["file", "badger", "stdout"]) loadOk(root({ storage: { type } }));
    assert.deepEqual(loadBad(root({ storage: { type: "redis" } })), [
      { path: "storage.type", message: 'expected "file" | "badger" | "stdout", got "redis"' },
    ]);
  });
});

describe("config - tls (our extension)", () => {
  const tlsOf = (tls: unknown, env: Record<string, string> = {}) =>
    loadOk(root({}, [spec({ tls })]), { pod: "p1", env }).plan.steps[0]!.spec.tls;

  it("tls - a CA and a client certificate reach the plan as caFile, certFile and keyFile", () => {
    const tls = {
      ca_file: "/etc/nats/ca.pem",
      cert_file: "/etc/nats/client.pem",
      key_file: "/etc/nats/client.key",
    };
    const r = loadOk(root({}, [spec({ tls })]));
    assert.deepEqual(r.config.load_test_specs[0]!.tls, tls);
    assert.deepEqual(r.plan.steps[0]!.spec.tls, {
      caFile: "/etc/nats/ca.pem",
      certFile: "/etc/nats/client.pem",
      keyFile: "/etc/nats/client.key",
    });
    assert.deepEqual(r.warnings, []);
  });

  it("tls - a CA alone, a client certificate alone, or an empty object (TLS required, default CAs) are valid", () => {
    assert.deepEqual(tlsOf({ ca_file: "/ca.pem" }), { caFile: "/ca.pem" });
    assert.deepEqual(tlsOf({ cert_file: "/c.pem", key_file: "/c.key" }), {
      certFile: "/c.pem",
      keyFile: "/c.key",
    });
    assert.deepEqual(tlsOf({}), {});
  });

  it("tls - file names take ${VAR} and {pod}, and an empty expansion means the file is absent", () => {
    const tls = {
      ca_file: "${NATS_TLS_DIR}/ca.pem",
      cert_file: "${NATS_TLS_DIR}/{pod}.pem",
      key_file: "${NATS_TLS_DIR}/{pod}.key",
    };
    assert.deepEqual(tlsOf(tls, { NATS_TLS_DIR: "/tls" }), {
      caFile: "/tls/ca.pem",
      certFile: "/tls/p1.pem",
      keyFile: "/tls/p1.key",
    });
    assert.deepEqual(tlsOf({ ca_file: "${NATS_CA:-}" }), {});
  });

  it("tls - repeat iterations keep the spec's tls", () => {
    const r = loadOk(
      root({ repeat_policy: { enabled: true, max_iterations: 2 } }, [spec({ tls: { ca_file: "/ca.pem" } })]),
    );
    assert.equal(r.plan.steps.length, 3);
    for (const step of r.plan.steps) assert.deepEqual(step.spec.tls, { caFile: "/ca.pem" });
  });
});
