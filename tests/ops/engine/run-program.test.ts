import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { runProgram } from "../../../ops/engine/run-program";

class Holder extends pulumi.ComponentResource {
  readonly queueUrl: pulumi.Output<string>;
  constructor(name: string) {
    super("test:index:Holder", name);
    const queue = new aws.sqs.Queue(`${name}Queue`, {}, { parent: this });
    new aws.sqs.QueuePolicy(`${name}Policy`, { queueUrl: queue.url, policy: queue.arn.apply((arn) => JSON.stringify({ arn })) }, { parent: this });
    this.queueUrl = queue.url;
    this.registerOutputs({ queueUrl: this.queueUrl });
  }
}

const base = { project: "orderflow", stack: "dev" };

describe("ops/engine runProgram", () => {
  it("gives resources the ARNs and URLs AWS would, with the configured account and region", async () => {
    const run = await runProgram(() => new Holder("orders"), { ...base, cloud: { account: "111122223333", region: "eu-west-1" } });
    const queue = run.resources.find((r) => r.type === "aws:sqs/queue:Queue")!;
    const name = String(queue.outputs.name);
    assert.match(name, /^ordersQueue-[0-9a-f]{7}$/);
    assert.equal(queue.outputs.arn, `arn:aws:sqs:eu-west-1:111122223333:${name}`);
    assert.equal(queue.outputs.url, `https://sqs.eu-west-1.amazonaws.com/111122223333/${name}`);
  });

  it("gives every custom resource an id that other resources can use", async () => {
    const run = await runProgram(() => {
      const api = new aws.apigateway.RestApi("api", {});
      new aws.apigateway.Resource("orders", { restApi: api.id, parentId: api.rootResourceId, pathPart: "orders" });
    }, base);
    const api = run.resources.find((r) => r.type === "aws:apigateway/restApi:RestApi")!;
    const resource = run.resources.find((r) => r.type === "aws:apigateway/resource:Resource")!;
    assert.match(String(api.id), /^[0-9a-f]{10}$/);
    assert.equal(resource.inputs.restApi, api.id);
    assert.equal(resource.inputs.parentId, api.outputs.rootResourceId);
  });

  it("records parents, dependencies and property dependencies", async () => {
    const run = await runProgram(() => new Holder("orders"), base);
    const holder = run.resources.find((r) => r.type === "test:index:Holder")!;
    const queue = run.resources.find((r) => r.type === "aws:sqs/queue:Queue")!;
    const policy = run.resources.find((r) => r.type === "aws:sqs/queuePolicy:QueuePolicy")!;
    assert.equal(queue.parent, holder.urn);
    assert.deepEqual(policy.dependencies, [queue.urn]);
    assert.deepEqual(policy.propertyDependencies.queueUrl, [queue.urn]);
    assert.equal(JSON.parse(String(policy.inputs.policy)).arn, queue.outputs.arn);
    assert.equal(holder.outputs.queueUrl, queue.outputs.url, "component outputs are the registered ones");
  });

  it("leaves what AWS computes unknown in preview, as a first `pulumi preview` sees it", async () => {
    const run = await runProgram(() => new Holder("orders"), { ...base, preview: true });
    const queue = run.resources.find((r) => r.type === "aws:sqs/queue:Queue")!;
    assert.equal(queue.outputs.arn, undefined);
    const policy = run.resources.find((r) => r.type === "aws:sqs/queuePolicy:QueuePolicy")!;
    assert.ok(pulumi.isUnknown(policy.inputs.policy), "an input built from an unknown output is unknown too");
  });

  it("resolves stack references from the given outputs and fails naming a stack that does not exist", async () => {
    const outputs = { busArn: "arn:aws:events:us-east-1:123456789012:event-bus/orders" };
    const run = await runProgram(
      () => ({ bus: new pulumi.StackReference("organization/orderflow/dev").requireOutput("busArn") }),
      { ...base, stack: "dev.shipping", stackOutputs: (name) => (name === "organization/orderflow/dev" ? outputs : undefined) },
    );
    assert.equal(run.outputs.bus, outputs.busArn);
    await assert.rejects(
      runProgram(() => ({ x: new pulumi.StackReference("organization/orderflow/prod").requireOutput("busArn") }), {
        ...base,
        stack: "dev.shipping",
        stackOutputs: () => undefined,
      }),
      /organization\/orderflow\/prod/,
    );
  });

  it("does not leak config or resources from one run into the next", async () => {
    const first = await runProgram(() => ({ v: new pulumi.Config("orderflow").get("color") }), { ...base, config: { "orderflow:color": "blue" } });
    const second = await runProgram(() => ({ v: new pulumi.Config("orderflow").get("color") ?? "unset" }), base);
    assert.equal(first.outputs.v, "blue");
    assert.equal(second.outputs.v, "unset");
    assert.equal(second.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").length, 0);
  });

  it("fails when the program throws, with the program's message", async () => {
    await assert.rejects(
      runProgram(() => {
        throw new Error("orders: `retentionDays` must be from 1 to 3653");
      }, base),
      /retentionDays/,
    );
  });

  it("keeps the program error's stack, mapped to the TypeScript line that threw, and Node's source maps as they were", async () => {
    assert.equal(process.sourceMapsEnabled, true, "ops/register.js turns source maps on");
    const stackTraceLimit = Error.stackTraceLimit;
    const thrown = await runProgram(() => {
      new Holder("orders");
      throw new Error("orders: the table needs a partition key");
    }, base).then(
      () => assert.fail("the program's error was not thrown"),
      (error: Error) => error,
    );
    assert.match(thrown.stack ?? "", /run-program\.test\.ts:\d+:\d+\)?$/m, thrown.stack);
    const line = Number(/run-program\.test\.ts:(\d+):/.exec(thrown.stack ?? "")![1]);
    assert.match(readFileSync(__filename, "utf8").split("\n")[line - 1], /throw new Error\("orders: the table needs a partition key"\)/);
    assert.equal(process.sourceMapsEnabled, true, "source maps are on again after the run");
    assert.equal(Error.stackTraceLimit, stackTraceLimit);
  });
});

