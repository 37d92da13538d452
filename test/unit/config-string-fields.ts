// Every free-text string of a config with its path and limit: shared by config-limits.test.ts and the
// property-based fuzz-config.test.ts.
import { LIMITS } from "../../src/config/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: the setters reach into untyped JSON
type Put = (c: any, s: string) => void;

/** [path, where to put the string, its limit]: every free-text string of a config. */
export const STRING_FIELDS: ReadonlyArray<readonly [string, Put, number]> = [
  ["load_test_specs[0].name", (c, s) => (c.load_test_specs[0].name = s), LIMITS.nameLength],
  [
    "load_test_specs[0].nats_url",
    (c, s) => (c.load_test_specs[0].nats_url = `nats://${s}`),
    LIMITS.urlLength,
  ],
  [
    "load_test_specs[0].nats_creds_file",
    (c, s) => (c.load_test_specs[0].nats_creds_file = s),
    LIMITS.pathLength,
  ],
  [
    "load_test_specs[0].nats_nkey_file",
    (c, s) => (c.load_test_specs[0].nats_nkey_file = s),
    LIMITS.pathLength,
  ],
  [
    "load_test_specs[0].tls.ca_file",
    (c, s) => (c.load_test_specs[0].tls = { ca_file: s }),
    LIMITS.pathLength,
  ],
  [
    "load_test_specs[0].client_id_prefix",
    (c, s) => (c.load_test_specs[0].client_id_prefix = s),
    LIMITS.nameLength,
  ],
  [
    "load_test_specs[0].streams[0].name_prefix",
    (c, s) => (c.load_test_specs[0].streams[0].name_prefix = s),
    LIMITS.nameLength,
  ],
  [
    "load_test_specs[0].streams[0].subjects[0]",
    (c, s) => (c.load_test_specs[0].streams[0].subjects[0] = `${s}.{}`),
    LIMITS.subjectLength,
  ],
  [
    "load_test_specs[0].streams[0].max_age",
    (c, s) => (c.load_test_specs[0].streams[0].max_age = s),
    LIMITS.durationLength,
  ],
  [
    "load_test_specs[0].publishers.stream_name_prefix",
    (c, s) => (c.load_test_specs[0].publishers.stream_name_prefix = s),
    LIMITS.nameLength,
  ],
  [
    "load_test_specs[0].consumers.stream_name_prefix",
    (c, s) => (c.load_test_specs[0].consumers.stream_name_prefix = s),
    LIMITS.nameLength,
  ],
  [
    "load_test_specs[0].consumers.durable_name_prefix",
    (c, s) => (c.load_test_specs[0].consumers.durable_name_prefix = s),
    LIMITS.nameLength,
  ],
  [
    "load_test_specs[0].consumers.queue_group",
    (c, s) => (c.load_test_specs[0].consumers.queue_group = s),
    LIMITS.nameLength,
  ],
  [
    "load_test_specs[0].services.subject",
    (c, s) => (c.load_test_specs[0].services = { subject: s }),
    LIMITS.subjectLength,
  ],
  [
    "load_test_specs[0].services.name",
    (c, s) => (c.load_test_specs[0].services = { subject: "svc.x", name: s }),
    LIMITS.nameLength,
  ],
  [
    "load_test_specs[0].services.version",
    (c, s) => (c.load_test_specs[0].services = { subject: "svc.x", version: s }),
    LIMITS.nameLength,
  ],
  [
    "load_test_specs[0].services.responders.queue_group",
    (c, s) => (c.load_test_specs[0].services = { subject: "svc.x", responders: { queue_group: s } }),
    LIMITS.nameLength,
  ],
  [
    "load_test_specs[0].consumers.opt_start_time",
    (c, s) =>
      Object.assign(c.load_test_specs[0].consumers, { deliver_policy: "by_start_time", opt_start_time: s }),
    LIMITS.durationLength,
  ],
  [
    "load_test_specs[0].consumers.filter_subjects[0]",
    (c, s) => (c.load_test_specs[0].consumers.filter_subjects = [s]),
    LIMITS.subjectLength,
  ],
  [
    "load_test_specs[0].consumers.backoff[0]",
    (c, s) => Object.assign(c.load_test_specs[0].consumers, { backoff: [s], max_deliver: 2 }),
    LIMITS.durationLength,
  ],
  [
    "load_test_specs[0].streams[0].duplicate_window",
    (c, s) => (c.load_test_specs[0].streams[0].duplicate_window = s),
    LIMITS.durationLength,
  ],
  ["storage.path", (c, s) => (c.storage = { type: "file", path: s }), LIMITS.pathLength],
  [
    "repeat_policy.max_total_duration",
    (c, s) => (c.repeat_policy = { max_total_duration: s }),
    LIMITS.durationLength,
  ],
  ["thresholds.published", (c, s) => (c.thresholds = { published: s }), LIMITS.thresholdLength],
];
