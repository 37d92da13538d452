// The demo's door: `ltctl demo` (src/cli/commands/demo.ts) uses runDemo; the helpers stay inside.

export { NATS_SERVER_MISSING } from "./nats-server.ts";
export { DEMO_EXIT, type DemoContext, type DemoOptions, runDemo, withDuration } from "./run.ts";
