// The door of src/control: the control plane's wire contract (names, versioned messages) and the client that
// the agent, `ltctl` and the HTTP shim share. See docs/control-plane.md.

// What the CLI needs to explain a failed control-plane connection, and to tell a stream already gone (typed, from src/nats).
// What the HTTP shim needs to tell a refusal by the server (least privilege) from a failure.
export { isNotFound, isPermissionDenied, isTimeout, tlsFailure } from "../nats/index.ts";
export {
  type CommandOptions,
  type ConfigRevision,
  ControlClient,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_START_DELAY_MS,
  type PushOptions,
  PushRejectedError,
  type PushResult,
  STALE_HEARTBEATS,
  type StatsQuery,
} from "./client.ts";
export { authOptions, type ControlPlaneAuth } from "./connect-options.ts";
export {
  type AgentState,
  AgentStateSchema,
  CAPACITY_MAX_POINTS,
  type CapacityEntry,
  CapacityEntrySchema,
  CONTROL_VERSION,
  type ConfigEntry,
  ConfigEntrySchema,
  type ControlCommand,
  ControlCommandSchema,
  type ControlOp,
  ControlOpSchema,
  type ControlReply,
  ControlReplySchema,
  MAX_ERROR_LENGTH,
  type Presence,
  PresenceSchema,
  type PresenceView,
  parseJson,
  parseMessage,
} from "./messages.ts";
export {
  ACTIVE_KEY,
  CAPACITY_KEY,
  type ControlNames,
  controlNames,
  newRunId,
  subjectToken,
} from "./names.ts";
export { isSecretKey, redactSecrets, redactUrl } from "./redact.ts";
export {
  CONTROL_DEFAULTS,
  type ControlPlane,
  type ControlPlaneOptions,
  ensureControlPlane,
} from "./setup.ts";
export {
  decodableOnly,
  formatSkipped,
  histProblem,
  type OnSkip,
  type SkippedSnapshot,
  safeAggregate,
} from "./snapshot-check.ts";
export { configHash, VALIDATION_POD, validateForPush } from "./validate.ts";
