// Reads a JSON request body defensively: size limit (stops reading early), content type, strict UTF-8,
// and a nesting-depth limit checked on the text before JSON.parse builds anything.
import type { IncomingMessage } from "node:http";

export interface BodyLimits {
  /** Largest body accepted, in bytes. @default 1 MiB */
  readonly maxBytes: number;
  /** Deepest nesting of arrays/objects accepted. @default 64 */
  readonly maxDepth: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { maxBytes: 1024 * 1024, maxDepth: 64 };

/** A request the shim refuses, with the HTTP status and the JSON error it answers with. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: Array<{ path: string; message: string }>,
  ) {
    super(message);
  }
}

/** JSON or an `application/*+json`; no content type at all is taken as JSON; only UTF-8 charsets. */
export function checkContentType(header: string | undefined): void {
  if (header === undefined || header.trim() === "") return;
  const [type = "", ...params] = header.split(";").map((s) => s.trim().toLowerCase());
  const json =
    type === "application/json" || type === "text/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type);
  if (!json)
    throw new HttpError(415, `unsupported content type '${type}': send Content-Type: application/json`);
  for (const p of params) {
    const [k, val = ""] = p.split("=").map((s) => s.trim());
    if (k === "charset" && !["utf-8", "utf8"].includes(val.replace(/"/g, ""))) {
      throw new HttpError(415, `unsupported charset '${val}': the body must be UTF-8`);
    }
  }
}

/** Reads the whole body within the limits; rejects with HttpError 413 as soon as it grows too large. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(new HttpError(413, `body of ${declared} bytes is over the limit of ${maxBytes}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        req.off("data", onData);
        req.pause();
        reject(new HttpError(413, `body is over the limit of ${maxBytes} bytes`));
        return;
      }
      chunks.push(c);
    };
    req.on("data", onData);
    // A client that hangs up, or is cut off by the request timeout, mid-body is a bad request, not a
    // failure of ours (node reports it as an "aborted" / ECONNRESET error on the request).
    const cutOff = (why: string) =>
      new HttpError(400, `request body was cut off${why ? `: ${why}` : ""}`, [
        { path: "", message: "request body was cut off before its end" },
      ]);
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", (e) => reject(cutOff(e.message)));
    req.once("close", () => {
      if (!req.complete) reject(cutOff(""));
    });
  });
}

/** Deepest array/object nesting in JSON text (brackets inside strings do not count). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Decodes and parses a JSON body; 415 for bytes that are not UTF-8, 400 for bad JSON or too deep nesting. */
export function parseJsonBody(buf: Buffer, maxDepth: number): unknown {
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    throw new HttpError(415, "body is not valid UTF-8");
  }
  if (text.trim() === "")
    throw new HttpError(400, "empty body: expected a JSON config", [{ path: "", message: "empty body" }]);
  const depth = jsonDepth(text);
  if (depth > maxDepth) {
    throw new HttpError(400, `JSON nested ${depth} levels deep, over the limit of ${maxDepth}`, [
      { path: "", message: `nesting deeper than ${maxDepth} levels` },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new HttpError(400, `body is not valid JSON: ${message}`, [{ path: "", message }]);
  }
}

export async function readJson(req: IncomingMessage, limits: BodyLimits): Promise<unknown> {
  checkContentType(req.headers["content-type"]);
  return parseJsonBody(await readBody(req, limits.maxBytes), limits.maxDepth);
}
