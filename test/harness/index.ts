export { NatsCluster, NatsNode, type NodeOptions, startCluster, startServer } from "./nats-server.ts";
export { makeOperator, type TestOperator, type UserClaims, type UserCreds } from "./operator.ts";
export { freePort, retryPortClash, waitForPort } from "./ports.ts";
export { childrenOf, demoProcessAlive, processesMentioning } from "./processes.ts";
