// The door of src/nats: what both the engine and the control plane need from the NATS client. Imports only
// src/config.
export {
  type AuthFileNames,
  authOptions,
  type ConnectAuth,
  fileErrorReason,
  readUserSeedFile,
} from "./auth.ts";
export {
  causes,
  hasError,
  isConnectionLost,
  isNameInUse,
  isNoResponders,
  isNotFound,
  isPermissionDenied,
  isTimeout,
  JsErrorCode,
  jsApiCode,
  tlsFailure,
} from "./errors.ts";
