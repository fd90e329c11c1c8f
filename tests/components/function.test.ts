import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { forgetBundle, hashFiles } from "../../components/bundle";
import { DeadLetterQueue } from "../../components/dead-letter-queue";
import { Function, type FunctionArgs } from "../../components/function";
import type { IQueue } from "../../components/interfaces";
import { archiveFiles } from "../helpers/archive";
import { testRole } from "../helpers/doubles";
import { advancedLoggingEnvironment, powertoolsLevelIn } from "../helpers/lambda-logging";
import { list, mockRun, parsePolicy, type MockedRun } from "../helpers/pulumi";

const FIXTURES = path.resolve(__dirname, "..", "fixtures", "handlers");
const LAMBDA = "aws:lambda/function:Function";
const ROLE = "aws:iam/role:Role";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const QUEUE = "aws:sqs/queue:Queue";
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:alarms";

function echo(extra: Partial<FunctionArgs> = {}): FunctionArgs {
  return { handler: "echo.ts", handlersRoot: FIXTURES, ...extra };
}

async function runFunction(extra: Partial<FunctionArgs> = {}, name = "placeOrder"): Promise<MockedRun> {
  return mockRun(() => {
    new Function(name, echo(extra));
  });
}

/** The queue the function's own DeadLetterQueue component created. */
function ownDlq(run: MockedRun, name = "placeOrder") {
  const component = run.one("orderflow:messaging:DeadLetterQueue", `${name}Dlq`);
  const queues = run.ofType(QUEUE).filter((q) => q.parent === component.urn);
  assert.equal(queues.length, 1, "the DeadLetterQueue holds one queue");
  return { component, queue: queues[0] };
}

function roleOf(run: MockedRun, name = "placeOrder") {
  return run.one(ROLE, `${name}Role`);
}

describe("components/function Function", () => {
  it("creates a Node 24 arm64 function with 256 MB, 10 s, active tracing and JSON logs to its own log group", async () => {
    const run = await runFunction();
    const component = run.one("orderflow:compute:Function", "placeOrder");
    const fn = run.one(LAMBDA, "placeOrderFunction");
    const logGroup = run.one(LOG_GROUP, "placeOrderLogGroup");
    assert.equal(fn.parent, component.urn);
    assert.equal(fn.inputs.runtime, "nodejs24.x");
    assert.deepEqual(fn.inputs.architectures, ["arm64"]);
    assert.equal(fn.inputs.memorySize, 256);
    assert.equal(fn.inputs.timeout, 10);
    assert.equal(fn.inputs.handler, "index.handler");
    assert.deepEqual(fn.inputs.tracingConfig, { mode: "Active" });
    assert.deepEqual(fn.inputs.loggingConfig, { logFormat: "JSON", logGroup: logGroup.outputs.name, applicationLogLevel: "INFO", systemLogLevel: "INFO" });
    assert.equal(fn.inputs.reservedConcurrentExecutions, undefined);
    assert.equal(fn.inputs.role, roleOf(run).outputs.arn);
    assert.equal(logGroup.inputs.retentionInDays, 30);
    assert.equal(logGroup.parent, component.urn);
  });

  it("sets the Powertools environment and source maps, with the caller's variables beside them", async () => {
    const run = await runFunction({ environment: { TABLE_NAME: "orders" } });
    assert.deepEqual(run.one(LAMBDA).inputs.environment, {
      variables: {
        TABLE_NAME: "orders",
        POWERTOOLS_SERVICE_NAME: "placeOrder",
        POWERTOOLS_LOG_LEVEL: "INFO",
        POWERTOOLS_METRICS_NAMESPACE: "orderflow",
        NODE_OPTIONS: "--enable-source-maps",
      },
    });
    const custom = await runFunction({ serviceName: "orders", logLevel: "DEBUG", metricsNamespace: "shop" });
    const variables = (custom.one(LAMBDA).inputs.environment as { variables: Record<string, string> }).variables;
    assert.equal(variables.POWERTOOLS_SERVICE_NAME, "orders");
    assert.equal(variables.POWERTOOLS_LOG_LEVEL, "DEBUG");
    assert.equal(variables.POWERTOOLS_METRICS_NAMESPACE, "shop");
  });

  it("logs at its log level in Lambda: Lambda's application and system levels follow it, and Powertools with them", async () => {
    for (const [level, application, system] of [
      ["DEBUG", "DEBUG", "DEBUG"],
      ["INFO", "INFO", "INFO"],
      ["WARN", "WARN", "WARN"],
      ["ERROR", "ERROR", "WARN"],
      ["CRITICAL", "FATAL", "WARN"],
    ] as const) {
      const fn = (await runFunction({ logLevel: level })).one(LAMBDA);
      const config = fn.inputs.loggingConfig as { applicationLogLevel: string; systemLogLevel: string };
      assert.deepEqual([config.applicationLogLevel, config.systemLogLevel], [application, system], level);
      const variables = (fn.inputs.environment as { variables: Record<string, string> }).variables;
      // Lambda adds AWS_LAMBDA_LOG_LEVEL from the application level, and Powertools prefers it to POWERTOOLS_LOG_LEVEL.
      assert.equal(powertoolsLevelIn({ ...variables, ...advancedLoggingEnvironment(fn.inputs.loggingConfig) }), level, level);
    }
  });

  it("deploys the bundle it hashed, and the same code gives the same archive hash run after run", async () => {
    const hashes: string[] = [];
    for (let i = 0; i < 2; i++) {
      forgetBundle({ handler: "get-order.ts", handlersRoot: FIXTURES });
      let codeHash = "";
      const run = await mockRun(() => {
        codeHash = new Function("getOrder", { handler: "get-order.ts", handlersRoot: FIXTURES }).codeHash;
      });
      const files = await archiveFiles(run.one(LAMBDA).inputs.code);
      assert.deepEqual(Object.keys(files).sort(), ["index.js", "index.js.map"]);
      assert.equal(hashFiles(files), codeHash);
      assert.ok(files["index.js"].includes("DynamoDB_20120810"), "the SDK client is bundled into the deployed code");
      hashes.push(codeHash);
    }
    assert.equal(hashes[0], hashes[1]);
  });

  it("deploys a different archive when the handler's code changes", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "orderflow-function-"));
    try {
      const file = path.join(root, "handler.ts");
      const deployed = async () => {
        const run = await mockRun(() => new Function("fn", { handler: "handler.ts", handlersRoot: root }));
        return hashFiles(await archiveFiles(run.one(LAMBDA).inputs.code));
      };
      fs.writeFileSync(file, "export const handler = async () => 1;\n");
      const before = await deployed();
      fs.writeFileSync(file, "export const handler = async () => 2;\n");
      assert.notEqual(await deployed(), before);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  describe("its role", () => {
    it("is its own, trusted by lambda.amazonaws.com only, with no managed policies", async () => {
      const run = await mockRun(() => {
        new Function("a", echo());
        new Function("b", echo());
      });
      const [a, b] = [roleOf(run, "a"), roleOf(run, "b")];
      assert.notEqual(a.outputs.arn, b.outputs.arn);
      assert.equal(run.one(LAMBDA, "aFunction").inputs.role, a.outputs.arn);
      assert.equal(run.one(LAMBDA, "bFunction").inputs.role, b.outputs.arn);
      assert.deepEqual(parsePolicy(a.inputs.assumeRolePolicy).Statement, [
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]);
      assert.equal(a.inputs.managedPolicyArns, undefined);
      assert.equal(run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
      assert.equal(run.ofType("aws:iam/policy:Policy").length, 0);
    });

    it("may write to its own log group, send traces, and send to its dead-letter queue; nothing else", async () => {
      const run = await runFunction();
      const logGroupArn = String(run.one(LOG_GROUP).outputs.arn);
      const dlqArn = String(ownDlq(run).queue.outputs.arn);
      const statements = run
        .statementsOf(String(roleOf(run).outputs.name))
        .map((s) => ({ effect: s.Effect, actions: list(s.Action), resources: list(s.Resource) }))
        .sort((x, y) => x.actions[0].localeCompare(y.actions[0]));
      assert.deepEqual(statements, [
        { effect: "Allow", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logGroupArn}:*`] },
        { effect: "Allow", actions: ["sqs:SendMessage"], resources: [dlqArn] },
        { effect: "Allow", actions: ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], resources: ["*"] },
      ]);
    });

    it("creates the function only after its log and trace policies exist", async () => {
      const run = await runFunction();
      const fn = run.one(LAMBDA);
      const policies = run.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => /-(logs|xray)$/.test(p.name));
      assert.equal(policies.length, 2);
      for (const policy of policies) assert.ok(fn.dependencies.includes(policy.urn), `${policy.name} before the function`);
    });

    it("gets the extra permissions it is given, exactly", async () => {
      const parameter = "arn:aws:ssm:us-east-1:123456789012:parameter/orderflow/api-key";
      const run = await runFunction({ permissions: [{ actions: ["ssm:GetParameter"], resources: [parameter] }] });
      const extra = run.statementsOf(String(roleOf(run).outputs.name)).filter((s) => list(s.Action).includes("ssm:GetParameter"));
      assert.deepEqual(extra.map((s) => [list(s.Action), list(s.Resource)]), [[["ssm:GetParameter"], [parameter]]]);
    });
  });

  describe("asynchronous invocations", () => {
    it("retry twice, then go to a dead-letter queue created for the function", async () => {
      const run = await runFunction();
      const config = run.one(INVOKE_CONFIG, "placeOrderEventInvokeConfig");
      const { component, queue } = ownDlq(run);
      assert.equal(component.parent, run.one("orderflow:compute:Function").urn);
      assert.equal(config.inputs.functionName, run.one(LAMBDA).outputs.name);
      assert.equal(config.inputs.maximumRetryAttempts, 2);
      assert.equal(config.inputs.maximumEventAgeInSeconds, 21600);
      assert.deepEqual(config.inputs.destinationConfig, { onFailure: { destination: queue.outputs.arn } });
      const sendPolicy = run.ofType("aws:iam/rolePolicy:RolePolicy").find((p) =>
        list(parsePolicy(p.inputs.policy).Statement[0].Action).includes("sqs:SendMessage"),
      );
      assert.ok(sendPolicy, "the function may send to its dead-letter queue");
      assert.equal(sendPolicy.inputs.role, roleOf(run).outputs.name);
      assert.ok(config.dependencies.includes(sendPolicy.urn), "the destination is saved after the role may send to it");
      assert.equal(run.one("orderflow:compute:Function").outputs.deadLetterQueueArn, queue.outputs.arn);
    });

    it("use the retry count, event age and queue given", async () => {
      let shared!: IQueue;
      const run = await mockRun(() => {
        shared = new DeadLetterQueue("shared", {});
        new Function("placeOrder", echo({ maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60, deadLetterQueue: shared }));
      });
      assert.equal(run.ofType("orderflow:messaging:DeadLetterQueue").length, 1, "no queue of its own");
      const sharedQueue = run.ofType(QUEUE).find((q) => q.parent === run.one("orderflow:messaging:DeadLetterQueue", "shared").urn)!;
      const config = run.one(INVOKE_CONFIG);
      assert.equal(config.inputs.maximumRetryAttempts, 0);
      assert.equal(config.inputs.maximumEventAgeInSeconds, 60);
      assert.deepEqual(config.inputs.destinationConfig, { onFailure: { destination: sharedQueue.outputs.arn } });
      const send = run
        .statementsOf(String(roleOf(run).outputs.name))
        .filter((s) => list(s.Action).includes("sqs:SendMessage"));
      assert.deepEqual(send.map((s) => list(s.Resource)), [[sharedQueue.outputs.arn]]);
    });
  });

  describe("alarms", () => {
    it("alarm on any Errors and any Throttles, with no actions when there is no alarm topic", async () => {
      const run = await runFunction();
      const fnName = run.one(LAMBDA).outputs.name;
      const alarms = run.ofType(ALARM).filter((a) => a.parent === run.one("orderflow:compute:Function").urn);
      assert.deepEqual(alarms.map((a) => a.inputs.metricName).sort(), ["Errors", "Throttles"]);
      for (const alarm of alarms) {
        assert.equal(alarm.inputs.namespace, "AWS/Lambda");
        assert.deepEqual(alarm.inputs.dimensions, { FunctionName: fnName });
        assert.equal(alarm.inputs.statistic, "Sum");
        assert.equal(alarm.inputs.threshold, 0);
        assert.equal(alarm.inputs.comparisonOperator, "GreaterThanThreshold");
        assert.deepEqual(alarm.inputs.alarmActions, []);
      }
    });

    it("send the function's alarms (and its dead-letter queue's) to the alarm topic when given", async () => {
      const run = await runFunction({ alarmTopicArn: TOPIC_ARN });
      const alarms = run.ofType(ALARM);
      assert.ok(alarms.length >= 2);
      for (const alarm of alarms) assert.deepEqual(alarm.inputs.alarmActions, [TOPIC_ARN], `${alarm.name} goes to the topic`);
    });
  });

  it("takes memory, timeout, architecture, reserved concurrency and log retention", async () => {
    let timeoutSeconds = 0;
    const run = await mockRun(() => {
      timeoutSeconds = new Function("placeOrder", echo({ memory: 1024, timeout: 30, architecture: "x86_64", reservedConcurrency: 5, logRetentionInDays: 7 }))
        .timeoutSeconds;
    });
    const fn = run.one(LAMBDA);
    assert.equal(fn.inputs.memorySize, 1024);
    assert.equal(fn.inputs.timeout, 30);
    assert.equal(timeoutSeconds, 30);
    assert.deepEqual(fn.inputs.architectures, ["x86_64"]);
    assert.equal(fn.inputs.reservedConcurrentExecutions, 5);
    assert.equal(run.one(LOG_GROUP).inputs.retentionInDays, 7);
  });

  it("exports its ARN, name, role, log group and dead-letter queue", async () => {
    const run = await runFunction();
    const outputs = run.one("orderflow:compute:Function").outputs;
    assert.equal(outputs.arn, run.one(LAMBDA).outputs.arn);
    assert.equal(outputs.functionName, run.one(LAMBDA).outputs.name);
    assert.equal(outputs.roleArn, roleOf(run).outputs.arn);
    assert.equal(outputs.logGroupName, run.one(LOG_GROUP).outputs.name);
    assert.equal(outputs.deadLetterQueueArn, ownDlq(run).queue.outputs.arn);
  });

  it("builds in preview, when AWS has computed nothing yet", async () => {
    const run = await mockRun(() => new Function("placeOrder", echo()), { preview: true });
    assert.ok(pulumi.isUnknown(run.one(INVOKE_CONFIG).inputs.functionName));
  });

  describe("grantInvoke", () => {
    it("allows lambda:InvokeFunction on the function and its versions and aliases", async () => {
      const run = await mockRun(() => {
        new Function("placeOrder", echo()).grantInvoke(testRole("caller"));
      });
      const arn = String(run.one(LAMBDA).outputs.arn);
      const statements = run.statementsOf(String(run.one(ROLE, "caller").outputs.name));
      assert.deepEqual(statements.map((s) => [list(s.Action), list(s.Resource)]), [[["lambda:InvokeFunction"], [arn, `${arn}:*`]]]);
    });

    it("works the same on a function of another stack, whose name comes from its ARN", async () => {
      const arn = "arn:aws:lambda:us-east-1:123456789012:function:shipping-dispatch";
      let functionName: pulumi.Output<string> | undefined;
      const run = await mockRun(() => {
        const imported = Function.fromAttributes("dispatch", { arn });
        functionName = imported.functionName;
        imported.grantInvoke(testRole("caller"));
        return { functionName };
      });
      assert.equal(run.ofType(LAMBDA).length, 0, "an import creates no function");
      assert.equal(run.outputs.functionName, "shipping-dispatch");
      const statements = run.statementsOf(String(run.one(ROLE, "caller").outputs.name));
      assert.deepEqual(statements.map((s) => [list(s.Action), list(s.Resource)]), [[["lambda:InvokeFunction"], [arn, `${arn}:*`]]]);
    });
  });

  describe("handler errors, before anything is created", () => {
    it("a missing handler file names the path and the handlers root", async () => {
      await assert.rejects(
        mockRun(() => new Function("placeOrder", { handler: "orders/missing.ts", handlersRoot: FIXTURES })),
        (error: Error) => {
          assert.match(error.message, /Function "placeOrder": Handler file "orders\/missing\.ts" was not found/);
          assert.ok(error.message.includes(FIXTURES), "names the handlers root");
          return true;
        },
      );
    });

    it("a syntax error gives esbuild's message and the handler's path", async () => {
      await assert.rejects(
        mockRun(() => new Function("placeOrder", { handler: "broken.js", handlersRoot: FIXTURES })),
        (error: Error) => {
          assert.match(error.message, /Function "placeOrder": esbuild could not bundle handler "broken\.js"/);
          assert.match(error.message, /Expected "\}" but found ";"/);
          assert.ok(error.message.includes(path.join(FIXTURES, "broken.js")));
          return true;
        },
      );
    });

    it("leaves no resource behind when the handler does not bundle", async () => {
      const run = await mockRun(() => {
        try {
          new Function("placeOrder", { handler: "broken.js", handlersRoot: FIXTURES });
        } catch {
          // the run shows what the failed function left behind
        }
      });
      assert.deepEqual(run.resources.map((r) => r.type), ["pulumi:pulumi:Stack"]);
    });
  });

  describe("option checks", () => {
    const fifoQueue = { name: "orders.fifo", fifo: true } as unknown as IQueue;
    const cases: [string, Partial<FunctionArgs>, RegExp][] = [
      ["memory below 128 MB", { memory: 64 }, /`memory` must be an integer from 128 to 10240 MB, but 64 was provided/],
      ["memory above 10240 MB", { memory: 10241 }, /`memory` must be an integer from 128 to 10240 MB, but 10241/],
      ["a timeout of 0", { timeout: 0 }, /`timeout` must be an integer from 1 to 900 seconds, but 0 was provided/],
      ["a timeout above 15 minutes", { timeout: 901 }, /`timeout` must be an integer from 1 to 900 seconds, but 901/],
      ["a fractional timeout", { timeout: 1.5 }, /`timeout` must be an integer/],
      ["3 retries", { maximumRetryAttempts: 3 }, /`maximumRetryAttempts` must be an integer from 0 to 2, but 3/],
      ["an event age under a minute", { maximumEventAgeInSeconds: 59 }, /`maximumEventAgeInSeconds` must be an integer from 60 to 21600 seconds, but 59/],
      ["an event age over 6 hours", { maximumEventAgeInSeconds: 21601 }, /from 60 to 21600 seconds, but 21601/],
      ["negative reserved concurrency", { reservedConcurrency: -1 }, /`reservedConcurrency` must be an integer of 0 or more, but -1/],
      ["a retention CloudWatch refuses", { logRetentionInDays: 31 }, /`logRetentionInDays` must be one of 1, 3, 5, .* but 31 was provided/],
      ["an unknown log level", { logLevel: "VERBOSE" as "INFO" }, /`logLevel` must be one of TRACE, DEBUG, INFO/],
      ["a Powertools variable in environment", { environment: { POWERTOOLS_LOG_LEVEL: "DEBUG" } }, /`environment.POWERTOOLS_LOG_LEVEL` is set by the component; use the option logLevel/],
      ["an invalid variable name", { environment: { "1BAD": "x" } }, /`environment` key "1BAD" must start with a letter/],
      ["a wildcard action", { permissions: [{ actions: ["s3:*"], resources: ["arn:aws:s3:::b"] }] }, /`permissions\[0\].actions` must name exact actions .* but "s3:\*"/],
      ["a wildcard resource", { permissions: [{ actions: ["s3:GetObject"], resources: ["*"] }] }, /`permissions\[0\].resources` must be exact ARNs, but "\*"/],
      ["a FIFO dead-letter queue", { deadLetterQueue: fifoQueue }, /`deadLetterQueue` must be a standard queue .* FIFO queue "orders.fifo"/],
    ];
    for (const [what, extra, message] of cases) {
      it(`rejects ${what}`, async () => {
        await assert.rejects(runFunction(extra), (error: Error) => {
          assert.match(error.message, /^Function "placeOrder": /);
          assert.match(error.message, message);
          return true;
        });
      });
    }
  });
});
