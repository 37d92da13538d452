// Debian's Chromium for browser tests, launched with the flags this closed network needs (no background
// connections that would be refused many at a time).
import { existsSync } from "node:fs";

export const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A skip reason when there is no browser (CI installs it), else false. */
export const SKIP_NO_BROWSER: string | false = existsSync(CHROMIUM)
  ? false
  : `no browser at ${CHROMIUM} (apt-get install chromium)`;
