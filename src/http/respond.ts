import type { ServerResponse } from "node:http";

/** Answers JSON (never cached); after headers went out, only ends the response. */
export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res
    .writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      ...headers,
    })
    .end(`${JSON.stringify(body)}\n`);
}
