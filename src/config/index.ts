// The door of src/config: the seed's config schema, expansion and the plan. Imports only src/measures.
export { formatDuration, parseDuration } from "./duration.ts";
export type { ConsumerKind, LossScope } from "./expand-consumer.ts";
export {
  DEFAULT_CONFIG_ENV,
  type ExpandContext,
  expandString,
  isSecretVarName,
  referenceIssues,
  resolvePodName,
  SECRET_ENV_VARS,
  takesVariables,
  VAR_FIELDS,
  type VarPolicy,
} from "./expand-env.ts";
export {
  DEFAULT_ZIPF_EXPONENT,
  type ExpandedMessages,
  type ExpandedSizes,
} from "./expand-messages.ts";
export { buildPlan, type Plan, type PlanStep } from "./expand-plan.ts";
export type {
  ExpandedConsumer,
  ExpandedPublisher,
  ExpandedSpec,
  ExpandedStream,
  ExpandedTls,
} from "./expand-spec.ts";
export { ConfigError, type ConfigIssue, formatIssues, formatPath } from "./issues.ts";
export { LIMITS } from "./limits.ts";
export { type LoadResult, loadConfig, parseConfigText } from "./load.ts";
export { findUserSeed } from "./nkey-seed.ts";
export { REDACTED, redactUrl } from "./redact-url.ts";
export { type RepeatPolicy, RepeatPolicySchema } from "./repeat-schema.ts";
export {
  type BehaviorConfig,
  BehaviorConfigSchema,
  type ConsumerConfig,
  ConsumerConfigSchema,
  type LoadTestSpec,
  LoadTestSpecSchema,
  type LogLimits,
  LogLimitsSchema,
  type PublisherConfig,
  PublisherConfigSchema,
  type RootConfig,
  RootConfigSchema,
  type Stage,
  StageSchema,
  type StorageConfig,
  StorageSchema,
  type StreamConfig,
  StreamConfigSchema,
  type TlsConfig,
  TlsConfigSchema,
} from "./schema.ts";
export { MAX_RATE, rateOf } from "./schema-count.ts";
export { type KvConfig, KvConfigSchema } from "./schema-kv.ts";
export { headerBlockBytes, PAYLOAD_KINDS, type PayloadKind } from "./schema-messages.ts";
export { type ObjectStoreConfig, ObjectStoreConfigSchema } from "./schema-objects.ts";
export { type ServicesConfig, ServicesConfigSchema } from "./schema-services.ts";
export { factorAt, rampShape, type ShapePoint, shapeOf, shiftShape, stageFactor } from "./stages.ts";
export { type PlanSummary, planSummary, type StepSummary, type StreamSummary } from "./summary.ts";
export {
  COUNTER_METRICS,
  isKnownMetric,
  LATENCY_STATS,
  parseThreshold,
  parseThresholds,
  RATE_METRICS,
  RATIO_METRICS,
  THRESHOLD_OPERATORS,
  type Threshold,
  type ThresholdIssue,
  type ThresholdOperator,
  type ThresholdVocabulary,
  thresholdPath,
  thresholdVocabulary,
  validateThresholds,
} from "./thresholds.ts";
