// Readers of the stats stream and bucket survive poison: anyone who can publish there can put anything on a
// stats subject, so a message that is not JSON, not a snapshot, or a snapshot whose histograms are not encoded
// HDR is skipped and reported (subject, sequence, why), never fatal. The check on every read is cheap (one
// pass over each histogram's text); a histogram that passes it but cannot be decoded is caught where
// histograms are merged (`safeAggregate`), which decodes only the few snapshots it merges.
import { aggregate, type ClusterTotal, decodeHistogram, type Snapshot } from "../stats/index.ts";

/** A message a reader skipped: where it was and why. */
export interface SkippedSnapshot {
  /** Stream subject, or `<bucket>.<key>` for the stats bucket. */
  readonly subject: string;
  /** Stream sequence (or KV revision). */
  readonly seq: number;
  readonly reason: string;
}

/** Called once per skipped message; readers count and report them. */
export type OnSkip = (skipped: SkippedSnapshot) => void;

/** `<subject> seq <n>: <reason>`, the form every reader prints. */
export function formatSkipped(s: SkippedSnapshot): string {
  return `${s.subject} seq ${s.seq}: ${s.reason}`;
}

/** Where each snapshot read from the control plane came from, for warnings raised after the read. */
const origins = new WeakMap<Snapshot, { subject: string; seq: number }>();

export function rememberOrigin(s: Snapshot, subject: string, seq: number): void {
  origins.set(s, { subject, seq });
}

/** Compressed V2 HDR histograms encode to base64 starting with these characters (cookie 0x1c849314). */
const HDR_PREFIX = "HISTF";
/** Larger than any histogram an agent sends (a full 3-digit histogram compresses to well under 1 MB). */
const MAX_HIST_CHARS = 4 * 1024 * 1024;

/** Why a snapshot's histograms cannot be merged, from a linear look at their text; undefined when they look right. */
export function histProblem(s: Snapshot): string | undefined {
  for (const field of ["hist", "hist_interval"]) {
    const group = (s as unknown as Record<string, unknown>)[field];
    if (group === undefined) continue;
    if (group === null || typeof group !== "object") return `${field} is not an object`;
    for (const [kind, value] of Object.entries(group)) {
      if (value === undefined || value === "") continue;
      if (typeof value !== "string" || !looksLikeHdr(value))
        return `${field}.${kind} is not an encoded HDR histogram`;
    }
  }
  return undefined;
}

function looksLikeHdr(text: string): boolean {
  if (!text.startsWith(HDR_PREFIX) || text.length % 4 !== 0 || text.length > MAX_HIST_CHARS) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const base64 =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!base64 && !(c === 61 && i >= text.length - 2)) return false;
  }
  return true;
}

/**
 * The cluster total of `snapshots` (counters summed, histograms merged). A snapshot whose histograms cannot be
 * decoded is left out, reported and returned in `dropped`; `total` is undefined when nothing can be merged.
 */
export function safeAggregate(
  snapshots: readonly Snapshot[],
  onSkip?: OnSkip,
): { total: ClusterTotal | undefined; dropped: ReadonlySet<Snapshot> } {
  const dropped = new Set<Snapshot>();
  if (snapshots.length === 0) return { total: undefined, dropped };
  try {
    return { total: aggregate(snapshots), dropped };
  } catch {
    // Find the culprits one by one (rare: only a histogram that looked right but is not).
  }
  for (const s of snapshots) {
    const problem = undecodable(s);
    if (problem === undefined) continue;
    dropped.add(s);
    onSkip?.({ ...(origins.get(s) ?? { subject: `${s.run_id}.${s.pod}`, seq: 0 }), reason: problem });
  }
  const good = snapshots.filter((s) => !dropped.has(s));
  try {
    return { total: good.length > 0 ? aggregate(good) : undefined, dropped };
  } catch {
    return { total: undefined, dropped };
  }
}

function undecodable(s: Snapshot): string | undefined {
  for (const field of ["hist", "hist_interval"]) {
    const group = (s as unknown as Record<string, unknown>)[field];
    if (group === null || typeof group !== "object") continue;
    for (const [kind, value] of Object.entries(group)) {
      if (typeof value !== "string" || value === "") continue;
      try {
        decodeHistogram(value).destroy();
      } catch {
        return `${field}.${kind} does not decode as an HDR histogram`;
      }
    }
  }
  return undefined;
}

/**
 * The snapshots whose histograms all decode; the others are reported. Decodes every histogram, so it is for
 * the rare retry after a merge failed (a report of 200,000 snapshots reads them once already).
 */
export function decodableOnly(snapshots: readonly Snapshot[], onSkip?: OnSkip): Snapshot[] {
  return snapshots.filter((s) => {
    const problem = undecodable(s);
    if (problem === undefined) return true;
    onSkip?.({ ...(origins.get(s) ?? { subject: `${s.run_id}.${s.pod}`, seq: 0 }), reason: problem });
    return false;
  });
}
