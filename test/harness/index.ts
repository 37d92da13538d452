export { NatsCluster, NatsNode, type NodeOptions, startCluster, startServer } from "./nats-server.ts";
export { freePort, waitForPort } from "./ports.ts";
