import { strict as assert } from "node:assert";
import { EventBus, type RuleArgs } from "../../components/event-bus";
import type { EventPattern } from "../../components/event-pattern";
import { Queue } from "../../components/queue";
import { Topic } from "../../components/topic";
import { testFunction, testRole } from "../helpers/doubles";
import {
  outputOf,
  resourcePolicyStatements,
  roleNameOf,
  testKeyedTopic,
  testQueue,
  testStateMachine,
  testTopic,
} from "../helpers/messaging";
import { mockRun, parsePolicy, type MockedRun } from "../helpers/pulumi";

const BUS = "aws:cloudwatch/eventBus:EventBus";
const ARCHIVE = "aws:cloudwatch/eventArchive:EventArchive";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const DLQ = "orderflow:messaging:DeadLetterQueue";
const PLACED: EventPattern = { source: ["orderflow.orders"], "detail-type": ["OrderPlaced"] };

/** The ARN of the SQS queue inside a DeadLetterQueue component. */
function dlqArn(run: MockedRun, dlqName: string): string {
  const component = run.one(DLQ, dlqName);
  const queues = run.childrenOf(component.urn).filter((r) => r.type === "aws:sqs/queue:Queue");
  assert.equal(queues.length, 1, `expected one SQS queue in ${dlqName}`);
  return String(queues[0].outputs.arn);
}

/** Asserts the statement admits events.amazonaws.com for `action` on `resource` only from `ruleArn`. */
function assertAdmitsRuleOnly(statements: ReturnType<typeof resourcePolicyStatements>, action: string, resource: string, ruleArn: string) {
  const fromEvents = statements.filter((s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: "events.amazonaws.com" }));
  assert.equal(fromEvents.length, 1, `expected one events.amazonaws.com statement on ${resource}, got ${JSON.stringify(statements)}`);
  assert.deepEqual(fromEvents[0], {
    Effect: "Allow",
    Principal: { Service: "events.amazonaws.com" },
    Action: action,
    Resource: resource,
    Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
  });
}

describe("components/event-bus EventBus", () => {
  it("creates a bus and a 30-day archive of it, and no bus policy, by default", async () => {
    const run = await mockRun(() => {
      new EventBus("orders");
    });
    const bus = run.one(BUS, "ordersBus");
    const archive = run.one(ARCHIVE, "ordersArchive");
    assert.equal(archive.inputs.eventSourceArn, bus.outputs.arn);
    assert.equal(archive.inputs.retentionDays, 30);
    assert.equal(run.ofType("aws:cloudwatch/eventBusPolicy:EventBusPolicy").length, 0);
    const component = run.one("orderflow:messaging:EventBus", "orders");
    assert.equal(bus.parent, component.urn);
    assert.equal(archive.parent, component.urn);
    assert.equal(component.outputs.arn, bus.outputs.arn);
    assert.equal(component.outputs.busName, bus.outputs.name);
    assert.equal(component.outputs.archiveArn, archive.outputs.arn);
  });

  it("keeps the archive as long as asked, or not at all", async () => {
    const run = await mockRun(() => {
      new EventBus("long", { archiveRetentionDays: 90 });
      new EventBus("none", { archiveRetentionDays: false });
    });
    assert.equal(run.one(ARCHIVE).inputs.retentionDays, 90);
    assert.equal(run.one(ARCHIVE).name, "longArchive");
  });

  it("grantPutEvents allows exactly events:PutEvents on the bus ARN", async () => {
    const run = await mockRun(() => {
      new EventBus("orders").grantPutEvents(testRole("publisher"));
    });
    const statements = run.statementsOf(roleNameOf(run, "publisher"));
    assert.deepEqual(statements, [{ Effect: "Allow", Action: ["events:PutEvents"], Resource: [run.one(BUS).outputs.arn] }]);
  });

  describe("bus policy", () => {
    it("admits only the named accounts and principals to events:PutEvents on this bus", async () => {
      const run = await mockRun(() => {
        new EventBus("orders", { policy: { accounts: ["111122223333"], principals: ["arn:aws:iam::444455556666:role/publisher"] } });
      });
      const policy = run.one("aws:cloudwatch/eventBusPolicy:EventBusPolicy", "ordersPolicy");
      assert.equal(policy.inputs.eventBusName, run.one(BUS).outputs.name);
      assert.deepEqual(parsePolicy(policy.inputs.policy).Statement, [
        {
          Sid: "AllowPutEvents",
          Effect: "Allow",
          Principal: { AWS: ["111122223333", "arn:aws:iam::444455556666:role/publisher"] },
          Action: "events:PutEvents",
          Resource: run.one(BUS).outputs.arn,
        },
      ]);
    });

    it("admits everyone only within an organization", async () => {
      const run = await mockRun(() => {
        new EventBus("orders", { policy: { principals: ["*"], organizationId: "o-a1b2c3d4e5" } });
      });
      const [statement] = parsePolicy(run.one("aws:cloudwatch/eventBusPolicy:EventBusPolicy").inputs.policy).Statement;
      assert.equal(statement.Principal, "*");
      assert.deepEqual(statement.Condition, { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } });
    });

    const refused: [string, object, RegExp][] = [
      ["a public \"*\" principal without a condition", { principals: ["*"] }, /`policy\.principals\[0\]` is "\*" without a condition.*organizationId/],
      ["\"*\" as an account", { accounts: ["*"] }, /`policy\.accounts\[0\]` is "\*"/],
      ["a malformed account", { accounts: ["1234"] }, /`policy\.accounts\[0\]` must be a 12-digit account ID, but "1234"/],
      ["a principal that is not an IAM ARN", { principals: ["arn:aws:sns:us-east-1:111122223333:t"] }, /`policy\.principals\[0\]` must be an IAM role/],
      ["an empty policy", {}, /`policy` admits no one/],
    ];
    for (const [what, policy, message] of refused) {
      it(`refuses ${what}, before creating anything`, async () => {
        const run = await mockRun(() => {
          assert.throws(() => new EventBus("orders", { policy }), (e: Error) => e.name === "ComponentArgumentError" && /^EventBus "orders": /.test(e.message) && message.test(e.message));
        });
        assert.equal(run.ofType("orderflow:messaging:EventBus").length, 0);
        assert.equal(run.ofType(BUS).length, 0);
      });
    }
  });

  describe("rules", () => {
    it("wires a queue target with default retries, one DLQ per rule, and SourceArn-scoped queue and DLQ policies", async () => {
      const run = await mockRun(() => {
        const bus = new EventBus("orders");
        bus.subscribeQueue("placed", PLACED, testQueue("billing"));
      });
      const rule = run.one(RULE, "orders-placedRule");
      assert.equal(rule.inputs.eventPattern, JSON.stringify(PLACED));
      assert.equal(rule.inputs.eventBusName, run.one(BUS).outputs.name);
      assert.equal(rule.inputs.scheduleExpression, undefined);
      const ruleArn = String(rule.outputs.arn);
      assert.equal(ruleArn, `arn:aws:events:us-east-1:123456789012:rule/${run.one(BUS).outputs.name}/${rule.outputs.name}`);

      assert.equal(run.ofType(DLQ).length, 1);
      const dlq = dlqArn(run, "orders-placedDlq");
      const target = run.one(TARGET, "orders-placedTarget0");
      assert.equal(target.inputs.arn, outputOf(run, "billing"));
      assert.equal(target.inputs.rule, rule.outputs.name);
      assert.equal(target.inputs.eventBusName, run.one(BUS).outputs.name);
      assert.deepEqual(target.inputs.retryPolicy, { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 });
      assert.deepEqual(target.inputs.deadLetterConfig, { arn: dlq });
      assert.equal(target.inputs.roleArn, undefined);

      assertAdmitsRuleOnly(resourcePolicyStatements(run, dlq), "sqs:SendMessage", dlq, ruleArn);
      assertAdmitsRuleOnly(resourcePolicyStatements(run, outputOf(run, "billing")), "sqs:SendMessage", outputOf(run, "billing"), ruleArn);
    });

    it("shares the rule's one DLQ among its targets and admits each queue once", async () => {
      const run = await mockRun(() => {
        const bus = new EventBus("orders");
        const billing = testQueue("billing");
        bus.rule("placed", { pattern: PLACED, targets: [{ queue: billing }, { queue: billing }, { function: testFunction("audit") }] });
      });
      const dlq = dlqArn(run, "orders-placedDlq");
      assert.deepEqual(run.ofType(TARGET).map((t) => (t.inputs.deadLetterConfig as { arn: string }).arn), [dlq, dlq, dlq]);
      const ruleArn = String(run.one(RULE).outputs.arn);
      assertAdmitsRuleOnly(resourcePolicyStatements(run, outputOf(run, "billing")), "sqs:SendMessage", outputOf(run, "billing"), ruleArn);
      assertAdmitsRuleOnly(resourcePolicyStatements(run, dlq), "sqs:SendMessage", dlq, ruleArn);
    });

    it("sends the rule DLQ's alarm to the bus's alarm topic", async () => {
      const alarms = "arn:aws:sns:us-east-1:123456789012:alarms";
      const run = await mockRun(() => {
        new EventBus("orders", { alarmTopicArn: alarms }).subscribeQueue("placed", PLACED, testQueue("billing"));
      });
      const alarm = run.childrenOf(run.one(DLQ).urn).find((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
      assert.deepEqual(alarm?.inputs.alarmActions, [alarms]);
    });

    it("takes retries, an input transformer, a FIFO message group and a given DLQ (admitting the rule there)", async () => {
      const run = await mockRun(() => {
        const bus = new EventBus("orders");
        bus.rule("placed", {
          pattern: PLACED,
          targets: [
            {
              queue: testQueue("billing", { fifo: true }),
              messageGroupId: "orders",
              retry: { maximumEventAgeSeconds: 3600, maximumRetryAttempts: 3 },
              inputTransformer: { inputPaths: { id: "$.detail.orderId" }, inputTemplate: '{"orderId": <id>, "rule": "<aws.events.rule-name>"}' },
              deadLetterQueue: testQueue("shared-dlq"),
            },
          ],
        });
      });
      assert.equal(run.ofType(DLQ).length, 0, "no rule DLQ when every target brings its own");
      const target = run.one(TARGET);
      assert.deepEqual(target.inputs.retryPolicy, { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 3 });
      assert.deepEqual(target.inputs.sqsTarget, { messageGroupId: "orders" });
      assert.deepEqual(target.inputs.inputTransformer, {
        inputPaths: { id: "$.detail.orderId" },
        inputTemplate: '{"orderId": <id>, "rule": "<aws.events.rule-name>"}',
      });
      const shared = outputOf(run, "shared-dlq");
      assert.deepEqual(target.inputs.deadLetterConfig, { arn: shared });
      assertAdmitsRuleOnly(resourcePolicyStatements(run, shared), "sqs:SendMessage", shared, String(run.one(RULE).outputs.arn));
    });

    it("gives a function target a lambda permission scoped to the rule", async () => {
      const run = await mockRun(() => {
        new EventBus("orders").subscribeFunction("placed", PLACED, testFunction("notify"));
      });
      const permission = run.one("aws:lambda/permission:Permission", "orders-placedTarget0Permission");
      assert.deepEqual(
        { action: permission.inputs.action, function: permission.inputs.function, principal: permission.inputs.principal, sourceArn: permission.inputs.sourceArn },
        {
          action: "lambda:InvokeFunction",
          function: run.one("aws:lambda/function:Function", "notify").outputs.name,
          principal: "events.amazonaws.com",
          sourceArn: run.one(RULE).outputs.arn,
        },
      );
      const target = run.one(TARGET);
      assert.equal(target.inputs.arn, run.one("aws:lambda/function:Function", "notify").outputs.arn);
      assert.ok(target.dependencies.includes(permission.urn), "the target waits for its permission");
    });

    it("admits the rule on a topic target's policy, or through allowServicePublish on a topic owning its key", async () => {
      let keyed!: ReturnType<typeof testKeyedTopic>;
      const run = await mockRun(() => {
        const bus = new EventBus("orders");
        bus.subscribeTopic("placed", PLACED, testTopic("fanout"));
        keyed = testKeyedTopic("secret");
        bus.subscribeTopic("paid", { "detail-type": ["OrderPaid"] }, keyed);
      });
      const fanout = outputOf(run, "fanout");
      assertAdmitsRuleOnly(resourcePolicyStatements(run, fanout), "sns:Publish", fanout, String(run.one(RULE, "orders-placedRule").outputs.arn));
      assert.equal(keyed.admitted.length, 1);
      assert.equal(keyed.admitted[0].principal, "events.amazonaws.com");
      assert.equal(run.one(TARGET, "orders-paidTarget0").inputs.arn, outputOf(run, "secret"));
    });

    it("opens a Topic with its own key to this rule: topic policy and key policy", async () => {
      const run = await mockRun(() => {
        new EventBus("orders").subscribeTopic("placed", PLACED, new Topic("notifications", { customerManagedKey: true }));
      });
      const topicArn = String(run.one("aws:sns/topic:Topic").outputs.arn);
      const fromEvents = resourcePolicyStatements(run, topicArn).filter((st) => JSON.stringify(st.Principal).includes("events.amazonaws.com"));
      assert.equal(fromEvents.length, 1);
      assert.equal(fromEvents[0].Action, "sns:Publish");
      assert.deepEqual(fromEvents[0].Condition, { ArnLike: { "aws:SourceArn": run.one(RULE).outputs.arn } });
      const keyPolicy = parsePolicy(run.one("aws:kms/key:Key").inputs.policy).Statement;
      assert.ok(keyPolicy.some((st) => JSON.stringify(st.Principal).includes("events.amazonaws.com")), "the key admits EventBridge");
    });

    it("delivers to a real Queue, whose one queue policy keeps its TLS deny and gains the rule's statement", async () => {
      const run = await mockRun(() => {
        new EventBus("orders").subscribeQueue("placed", PLACED, new Queue("billing"));
      });
      const queueArn = String(run.one("aws:sqs/queue:Queue", "billingQueue").outputs.arn);
      const statements = resourcePolicyStatements(run, queueArn);
      assertAdmitsRuleOnly(statements, "sqs:SendMessage", queueArn, String(run.one(RULE).outputs.arn));
      assert.ok(statements.some((st) => st.Effect === "Deny"), "the TLS-only deny is still there");
    });

    it("starts a state machine through a role trusted by this rule only, allowed exactly states:StartExecution on it", async () => {
      const run = await mockRun(() => {
        new EventBus("orders").subscribeStateMachine("placed", PLACED, testStateMachine("checkout"));
      });
      const role = run.one("aws:iam/role:Role", "orders-placedTarget0Role");
      const ruleArn = run.one(RULE).outputs.arn;
      assert.deepEqual(parsePolicy(role.inputs.assumeRolePolicy).Statement, [
        {
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnEquals: { "aws:SourceArn": ruleArn } },
        },
      ]);
      const machine = run.one("aws:sfn/stateMachine:StateMachine", "checkout").outputs.arn;
      assert.deepEqual(run.statementsOf(String(role.outputs.name)), [{ Effect: "Allow", Action: ["states:StartExecution"], Resource: [machine] }]);
      const target = run.one(TARGET);
      assert.equal(target.inputs.arn, machine);
      assert.equal(target.inputs.roleArn, role.outputs.arn);
    });

    it("forwards to another bus through a role allowed exactly events:PutEvents on that bus", async () => {
      const run = await mockRun(() => {
        const central = new EventBus("central");
        new EventBus("orders").rule("forward", { pattern: PLACED, targets: [{ bus: central }] });
      });
      const role = run.one("aws:iam/role:Role", "orders-forwardTarget0Role");
      const central = run.one(BUS, "centralBus").outputs.arn;
      assert.deepEqual(run.statementsOf(String(role.outputs.name)), [{ Effect: "Allow", Action: ["events:PutEvents"], Resource: [central] }]);
      assert.equal(run.one(TARGET).inputs.arn, central);
      assert.equal(run.one(TARGET).inputs.roleArn, role.outputs.arn);
    });

    it("puts a scheduled rule, and its targets, on the default bus (the only one that runs schedules)", async () => {
      const run = await mockRun(() => {
        new EventBus("orders").rule("nightly", { schedule: "cron(0 3 * * ? *)", targets: [{ function: testFunction("sweep") }] });
      });
      const rule = run.one(RULE);
      assert.equal(rule.inputs.scheduleExpression, "cron(0 3 * * ? *)");
      assert.equal(rule.inputs.eventBusName, undefined);
      assert.equal(rule.inputs.eventPattern, undefined);
      assert.equal(run.one(TARGET).inputs.eventBusName, undefined);
      assert.match(String(rule.outputs.arn), /:rule\/[^/]+$/);
    });

    it("makes rules on a bus of another stack, and grants on its ARN", async () => {
      const arn = "arn:aws:events:us-east-1:123456789012:event-bus/shared";
      const run = await mockRun(() => {
        const shared = EventBus.fromAttributes("shared", { arn, busName: "shared" });
        shared.subscribeQueue("placed", PLACED, testQueue("billing"));
        shared.grantPutEvents(testRole("publisher"));
      });
      assert.equal(run.ofType(BUS).length, 0);
      assert.equal(run.one(RULE).inputs.eventBusName, "shared");
      assert.deepEqual(run.statementsOf(roleNameOf(run, "publisher")), [{ Effect: "Allow", Action: ["events:PutEvents"], Resource: [arn] }]);
    });

    it("returns the rule's ARN, name and dead-letter queue", async () => {
      let arn: unknown;
      const run = await mockRun(() => {
        const rule = new EventBus("orders").subscribeQueue("placed", PLACED, testQueue("billing"));
        assert.equal(rule.name, "orders-placed");
        assert.ok(rule.deadLetterQueue);
        assert.equal(rule.nodes.targets.length, 1);
        rule.arn.apply((v) => (arn = v));
      });
      assert.equal(arn, run.one(RULE).outputs.arn);
    });
  });

  it("builds in a first preview, where every ARN is still unknown", async () => {
    const run = await mockRun(
      () => {
        const bus = new EventBus("orders", { policy: { accounts: ["111122223333"] } });
        bus.rule("placed", {
          pattern: PLACED,
          targets: [
            { queue: testQueue("billing") },
            { function: testFunction("notify") },
            { topic: testTopic("fanout") },
            { stateMachine: testStateMachine("checkout") },
            { bus: new EventBus("central") },
          ],
        });
      },
      { preview: true },
    );
    assert.equal(run.ofType(TARGET).length, 5);
    assert.equal(run.ofType(DLQ).length, 1);
  });

  describe("rule errors name the option, before creating the rule", () => {
    const cases: [string, (q: ReturnType<typeof testQueue>) => RuleArgs, RegExp][] = [
      ["both pattern and schedule", (q) => ({ pattern: PLACED, schedule: "rate(1 hour)", targets: [{ queue: q }] }), /Only one of `pattern` or `schedule` can be provided/],
      ["neither pattern nor schedule", (q) => ({ targets: [{ queue: q }] }), /One of `pattern` or `schedule` must be provided/],
      ["more than 5 targets", (q) => ({ pattern: PLACED, targets: Array.from({ length: 6 }, () => ({ queue: q })) }), /`targets` can hold at most 5 targets per rule, but 6 were provided/],
      ["no targets", () => ({ pattern: PLACED, targets: [] }), /`targets` is empty/],
      ["an invalid pattern", (q) => ({ pattern: { detail: { status: [{ prefx: "x" }] } } as unknown as EventPattern, targets: [{ queue: q }] }), /`pattern` is not a valid EventBridge event pattern: detail\.status\[0\]\.prefx is not an EventBridge operator/],
      ["a leaf that is not a list", (q) => ({ pattern: { source: "orders" } as unknown as EventPattern, targets: [{ queue: q }] }), /`pattern` .*source must be a list of values/],
      ["an empty pattern", (q) => ({ pattern: {}, targets: [{ queue: q }] }), /`pattern` .*\(pattern\) is empty/],
      ["a malformed schedule", (q) => ({ schedule: "every 5 minutes", targets: [{ queue: q }] }), /`schedule` must be "rate\(<n> <unit>\)".*"every 5 minutes"/],
      ["a target of two kinds", (q) => ({ pattern: PLACED, targets: [{ queue: q, bus: undefined, function: testFunction("f") } as never] }), /`targets\[0\]` must name exactly one of .*`queue` and `function` were given/],
      ["a retry age out of range", (q) => ({ pattern: PLACED, targets: [{ queue: q, retry: { maximumEventAgeSeconds: 30 } }] }), /`targets\[0\]\.retry\.maximumEventAgeSeconds` must be an integer from 60 to 86400 seconds, but 30/],
      ["too many retry attempts", (q) => ({ pattern: PLACED, targets: [{ queue: q, retry: { maximumRetryAttempts: 186 } }] }), /`targets\[0\]\.retry\.maximumRetryAttempts` must be an integer from 0 to 185, but 186/],
      ["a FIFO queue without a message group", () => ({ pattern: PLACED, targets: [{ queue: testQueue("f", { fifo: true }) }] }), /`targets\[0\]\.messageGroupId` is required: "f" is a FIFO queue/],
      ["a FIFO dead-letter queue", (q) => ({ pattern: PLACED, targets: [{ queue: q, deadLetterQueue: testQueue("d", { fifo: true }) }] }), /`targets\[0\]\.deadLetterQueue` is the FIFO queue "d"/],
      ["a template placeholder without an input path", (q) => ({ pattern: PLACED, targets: [{ queue: q, inputTransformer: { inputTemplate: '{"id": <orderId>}' } }] }), /`targets\[0\]\.inputTransformer\.inputTemplate` uses <orderId>/],
      ["an input path that is not a JSON path", (q) => ({ pattern: PLACED, targets: [{ queue: q, inputTransformer: { inputPaths: { id: "detail.id" }, inputTemplate: "<id>" } }] }), /`targets\[0\]\.inputTransformer\.inputPaths\.id` must be a JSON path/],
    ];
    for (const [what, args, message] of cases) {
      it(`refuses ${what}`, async () => {
        const run = await mockRun(() => {
          const bus = new EventBus("orders");
          const queue = testQueue("billing");
          assert.throws(
            () => bus.rule("placed", args(queue)),
            (e: Error) => e.name === "ComponentArgumentError" && e.message.startsWith('EventBus "orders" rule "placed": ') && message.test(e.message),
          );
        });
        assert.equal(run.ofType(RULE).length, 0);
        assert.equal(run.ofType(DLQ).length, 0);
      });
    }

    it("refuses a Topic on the AWS-managed key, which EventBridge cannot publish to, before creating the rule", async () => {
      const run = await mockRun(() => {
        const bus = new EventBus("orders");
        const topic = new Topic("notifications");
        assert.throws(
          () => bus.subscribeTopic("placed", PLACED, topic),
          /EventBus "orders" rule "placed": `targets\[0\]\.topic` "notifications" is encrypted with the AWS-managed SNS key.*customerManagedKey: true/,
        );
      });
      assert.equal(run.ofType(RULE).length, 0);
    });

    it("refuses a queue of another stack, whose policy this stack cannot change, naming the target", async () => {
      const run = await mockRun(() => {
        const bus = new EventBus("orders");
        const billing = Queue.fromAttributes("billing", {
          arn: "arn:aws:sqs:us-east-1:123456789012:billing",
          url: "https://sqs.us-east-1.amazonaws.com/123456789012/billing",
        });
        assert.throws(() => bus.subscribeQueue("placed", PLACED, billing), /rule "placed": `targets\[0\]` cannot admit this rule: Queue "billing".*is imported/);
      });
      assert.equal(run.ofType(TARGET).length, 0);
      assert.equal(run.ofType(DLQ).length, 0);
    });

    it("refuses a second rule with the same name", async () => {
      await mockRun(() => {
        const bus = new EventBus("orders");
        const queue = testQueue("billing");
        bus.subscribeQueue("placed", PLACED, queue);
        assert.throws(() => bus.subscribeQueue("placed", PLACED, queue), /a rule named "placed" already exists/);
      });
    });

    it("refuses an archive retention below one day", async () => {
      await mockRun(() => {
        assert.throws(() => new EventBus("orders", { archiveRetentionDays: 0 }), /`archiveRetentionDays` must be an integer from 1/);
      });
    });
  });
});
