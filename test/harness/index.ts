export { NatsCluster, NatsNode, type NodeOptions, startCluster, startServer } from "./nats-server.ts";
export { freePort, retryPortClash, waitForPort } from "./ports.ts";
