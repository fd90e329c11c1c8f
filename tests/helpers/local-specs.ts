import type { QueueSpec } from "../../localcloud/services/sqs/spec";

const ACCOUNT = "123456789012";

/**
 * A queue of the local graph as the graph builder makes one (SQS's defaults), for tests that need a queue without
 * synthesizing a stack. Test files import helpers, never each other: in mocha's parallel mode a spec file another file
 * already loaded in the same worker is cached and would register none of its tests.
 */
export function queueSpec(name: string, extra: Partial<QueueSpec> = {}): QueueSpec {
  return {
    stack: "dev.test",
    component: name,
    urn: `urn:${name}`,
    name,
    arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`,
    url: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`,
    fifo: name.endsWith(".fifo"),
    contentBasedDeduplication: false,
    visibilityTimeoutSeconds: 30,
    messageRetentionSeconds: 345600,
    delaySeconds: 0,
    receiveWaitTimeSeconds: 0,
    maximumMessageSize: 262144,
    ...extra,
  };
}
