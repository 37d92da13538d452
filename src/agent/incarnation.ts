// An agent process's incarnation: a short random id made at its start, carried in its presence and every
// snapshot. A pod killed and restarted under the same name is a new incarnation, so its first process's
// figures stay beside the new ones (stats KV key `<run>.<pod>.<incarnation>`) instead of being overwritten.
import { randomBytes } from "node:crypto";

/** 8 hex characters: 4 random bytes, plenty to tell a pod's few restarts in one run apart. */
export function newIncarnation(): string {
  return randomBytes(4).toString("hex");
}
