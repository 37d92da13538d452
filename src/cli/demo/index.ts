// The demo's door: `ltctl demo` (src/cli/commands/demo.ts) uses runDemo; the helpers stay inside.

export { NATS_SERVER_MISSING } from "./nats-server.ts";
export { DEMO_EXIT, type DemoContext, type DemoOptions } from "./options.ts";
export { withDuration } from "./plan.ts";
export { runDemo } from "./run.ts";
