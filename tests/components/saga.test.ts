import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import { grant, type GranteeLike } from "../../components/grant";
import type { IEventBus, IFunction } from "../../components/interfaces";
import { Saga, SFN_LOG_DELIVERY_ACTIONS, SFN_XRAY_ACTIONS, type SagaArgs } from "../../components/saga";
import type { AslDefinition } from "../../components/saga-definition";
import { testFunction, testRole } from "../helpers/doubles";
import { list, mockRun, type MockedRun } from "../helpers/pulumi";

/** A bare bus standing in for the EventBus component. */
function testBus(name: string): IEventBus {
  const bus = new aws.cloudwatch.EventBus(name, {});
  return {
    name,
    arn: bus.arn,
    busName: bus.name,
    grantPutEvents: (grantee: GranteeLike) => grant(grantee, `putEvents-${name}`, [{ actions: ["events:PutEvents"], resources: [bus.arn] }]),
  };
}

const SAGA = "orderflow:orchestration:Saga";

function checkout(extra: Partial<SagaArgs> = {}, fns?: Record<string, IFunction>): Saga {
  const f = fns ?? Object.fromEntries(["reserve", "release", "charge", "refund", "ship", "audit"].map((n) => [n, testFunction(n)]));
  const bus = testBus("orders");
  return new Saga("checkout", {
    steps: [
      { name: "ReserveInventory", invoke: f.reserve, compensate: f.release },
      { name: "ChargePayment", invoke: f.charge, compensate: f.refund },
      { name: "ScheduleShipment", invoke: f.ship },
    ],
    finally: { name: "RecordOutcome", invoke: f.audit },
    onSuccess: { bus, source: "orderflow.checkout", detailType: "OrderConfirmed" },
    onFailure: { bus, source: "orderflow.checkout", detailType: "OrderCancelled" },
    ...extra,
  });
}

const stateMachineOf = (run: MockedRun) => run.one("aws:sfn/stateMachine:StateMachine");
const roleOf = (run: MockedRun) => run.one("aws:iam/role:Role", "checkoutRole");
const arnOf = (run: MockedRun, name: string) => String(run.named(name).outputs.arn);

const DATA_PROTECTION = "aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy";

describe("components/saga Saga", () => {
  it("gives its own role exactly: invoke on each function (arn and arn:*), PutEvents on the bus, and only X-Ray and log delivery on *", async () => {
    const run = await mockRun(() => checkout());
    const statements = run.statementsOf(String(roleOf(run).outputs.name));
    const expected = [
      ...["reserve", "release", "charge", "refund", "ship", "audit"].map((fn) => ({
        actions: ["lambda:InvokeFunction"],
        resources: [arnOf(run, fn), `${arnOf(run, fn)}:*`].sort(),
      })),
      { actions: ["events:PutEvents"], resources: [arnOf(run, "orders")] },
      { actions: [...SFN_XRAY_ACTIONS].sort(), resources: ["*"] },
      { actions: [...SFN_LOG_DELIVERY_ACTIONS].sort(), resources: ["*"] },
    ];
    const actual = statements.map((s) => {
      assert.equal(s.Effect, "Allow");
      assert.equal(s.Condition, undefined);
      return { actions: list(s.Action as string[]), resources: list(s.Resource as string[]) };
    });
    const key = (s: { actions: string[]; resources: string[] }) => JSON.stringify(s);
    assert.deepEqual(actual.map(key).sort(), expected.map(key).sort());
    assert.deepEqual(SFN_XRAY_ACTIONS, ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]);
    assert.deepEqual([...SFN_LOG_DELIVERY_ACTIONS].sort(), [
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:DescribeLogGroups",
      "logs:DescribeResourcePolicies",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:UpdateLogDelivery",
    ]);
    assert.equal(run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0, "no managed policies");
  });

  it("trusts only states.amazonaws.com acting for this account", async () => {
    const run = await mockRun(() => checkout());
    const trust = JSON.parse(String(roleOf(run).inputs.assumeRolePolicy));
    assert.deepEqual(trust.Statement, [
      {
        Effect: "Allow",
        Principal: { Service: "states.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
  });

  it("is a STANDARD state machine with X-Ray tracing and logs at level ALL, with execution data, to its own vended-logs group", async () => {
    const run = await mockRun(() => checkout());
    const sm = stateMachineOf(run);
    const logGroup = run.one("aws:cloudwatch/logGroup:LogGroup");
    assert.equal(sm.inputs.type, "STANDARD");
    assert.deepEqual(sm.inputs.tracingConfiguration, { enabled: true });
    assert.deepEqual(sm.inputs.loggingConfiguration, {
      level: "ALL",
      includeExecutionData: true,
      logDestination: `${String(logGroup.outputs.arn)}:*`,
    });
    assert.equal(sm.inputs.roleArn, roleOf(run).outputs.arn);
    assert.match(String(logGroup.outputs.name), /^\/aws\/vendedlogs\/states\/checkout-/);
    assert.equal(logGroup.inputs.retentionInDays, 30);
    const saga = run.one(SAGA);
    assert.ok([sm, logGroup, roleOf(run)].every((r) => r.parent === saga.urn), "children are parented to the saga");
    // The state machine waits for its role's policies: Step Functions checks log delivery rights at creation.
    const policies = run.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === roleOf(run).outputs.name);
    assert.deepEqual([...sm.dependencies].filter((d) => policies.some((p) => p.urn === d)).sort(), policies.map((p) => p.urn).sort());
  });

  it("takes EXPRESS, execution data off and another retention", async () => {
    const run = await mockRun(() => checkout({ type: "EXPRESS", includeExecutionData: false, logRetentionInDays: 7 }));
    const sm = stateMachineOf(run);
    assert.equal(sm.inputs.type, "EXPRESS");
    assert.equal((sm.inputs.loggingConfiguration as { includeExecutionData: boolean }).includeExecutionData, false);
    assert.equal(run.one("aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays, 7);
    assert.equal(run.ofType(DATA_PROTECTION).length, 0, "no data logged, nothing to mask");
  });

  it("masks the customer's email address and phone number in the execution logs before the state machine logs anything", async () => {
    const run = await mockRun(() => checkout());
    const policy = run.one(DATA_PROTECTION);
    const logGroup = run.one("aws:cloudwatch/logGroup:LogGroup");
    assert.equal(policy.inputs.logGroupName, logGroup.outputs.name);
    const doc = JSON.parse(String(policy.inputs.policyDocument)) as { Version: string; Statement: { DataIdentifier: string[]; Operation: Record<string, unknown> }[] };
    assert.equal(doc.Version, "2021-06-01");
    assert.deepEqual(doc.Statement.map((st) => Object.keys(st.Operation)[0]), ["Audit", "Deidentify"]);
    for (const statement of doc.Statement) {
      assert.ok(statement.DataIdentifier.includes("arn:aws:dataprotection::aws:data-identifier/EmailAddress"));
      assert.ok(statement.DataIdentifier.includes("arn:aws:dataprotection::aws:data-identifier/PhoneNumber-US"));
      assert.ok(statement.DataIdentifier.includes("arn:aws:dataprotection::aws:data-identifier/PhoneNumber-DE"));
    }
    assert.ok(stateMachineOf(run).dependencies.includes(policy.urn));
    const own = await mockRun(() => checkout({ maskedData: ["EmailAddress"] }));
    assert.deepEqual(JSON.parse(String(own.one(DATA_PROTECTION).inputs.policyDocument)).Statement[1].DataIdentifier, ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"]);
  });

  it("refuses to log execution data with nothing masked, or an identifier that is not one, naming the option", async () => {
    await assert.rejects(mockRun(() => checkout({ maskedData: [] })), /`maskedData` must name at least one data identifier while `includeExecutionData` is on/);
    await assert.rejects(mockRun(() => checkout({ maskedData: ["email address"] })), /"email address" was provided/);
    await mockRun(() => checkout({ includeExecutionData: false, maskedData: [] }));
  });

  it("generates its definition from the real function and bus ARNs", async () => {
    const run = await mockRun(() => checkout());
    const asl = JSON.parse(String(stateMachineOf(run).inputs.definition)) as AslDefinition;
    assert.equal(asl.StartAt, "ReserveInventory");
    assert.deepEqual(asl.States.ChargePayment.Parameters, { FunctionName: arnOf(run, "charge"), "Payload.$": "$" });
    assert.equal((asl.States.CompensateChargePayment.Parameters as { FunctionName: string }).FunctionName, arnOf(run, "refund"));
    const entries = (asl.States.PublishSuccess.Parameters as { Entries: { EventBusName: string }[] }).Entries;
    assert.equal(entries[0].EventBusName, arnOf(run, "orders"));
  });

  it("builds in a first preview, where the ARNs (and so the definition) are not known yet", async () => {
    const run = await mockRun(() => checkout(), { preview: true });
    const sm = stateMachineOf(run);
    assert.ok(pulumi.isUnknown(sm.inputs.definition), "the definition waits for the ARNs");
    assert.equal(sm.inputs.type, "STANDARD");
  });

  it("alarms on failed executions and on failed compensations, to the alarm topic", async () => {
    const topic = "arn:aws:sns:us-east-1:123456789012:alarms";
    const run = await mockRun(() => checkout({ alarmTopicArn: topic }));
    const sm = stateMachineOf(run);
    const failed = run.one("aws:cloudwatch/metricAlarm:MetricAlarm", "checkoutExecutionsFailedAlarm");
    assert.equal(failed.inputs.namespace, "AWS/States");
    assert.equal(failed.inputs.metricName, "ExecutionsFailed");
    assert.deepEqual(failed.inputs.dimensions, { StateMachineArn: sm.outputs.arn });
    assert.equal(failed.inputs.comparisonOperator, "GreaterThanThreshold");
    assert.equal(failed.inputs.threshold, 0);
    assert.deepEqual(failed.inputs.alarmActions, [topic]);

    const filter = run.one("aws:cloudwatch/logMetricFilter:LogMetricFilter");
    assert.equal(filter.inputs.logGroupName, run.one("aws:cloudwatch/logGroup:LogGroup").outputs.name);
    assert.match(String(filter.inputs.pattern), /\$\.type = "FailStateEntered"/);
    assert.match(String(filter.inputs.pattern), /\$\.details\.name = "CompensationFailed"/);
    const metric = filter.inputs.metricTransformation as { name: string; namespace: string; value: string };
    assert.equal(metric.value, "1");
    const compensation = run.one("aws:cloudwatch/metricAlarm:MetricAlarm", "checkoutCompensationFailedAlarm");
    assert.equal(compensation.inputs.metricName, metric.name);
    assert.equal(compensation.inputs.namespace, metric.namespace);
    assert.equal(compensation.inputs.threshold, 0);
    assert.deepEqual(compensation.inputs.alarmActions, [topic]);
  });

  it("alarms without actions when no alarm topic is given", async () => {
    const run = await mockRun(() => checkout());
    for (const alarm of run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) assert.deepEqual(alarm.inputs.alarmActions ?? [], []);
  });

  it("exposes arn, stateMachineName, roleArn and logGroupName", async () => {
    const run = await mockRun(() => {
      const saga = checkout();
      return { arn: saga.arn, name: saga.stateMachineName, roleArn: saga.roleArn, logGroupName: saga.logGroupName };
    });
    const sm = stateMachineOf(run);
    assert.deepEqual(run.outputs, {
      arn: sm.outputs.arn,
      name: sm.outputs.name,
      roleArn: roleOf(run).outputs.arn,
      logGroupName: run.one("aws:cloudwatch/logGroup:LogGroup").outputs.name,
    });
  });

  it("grantStart gives states:StartExecution on the state machine only, for owned and imported sagas", async () => {
    const imported = "arn:aws:states:us-east-1:123456789012:stateMachine:fulfilment";
    const run = await mockRun(() => {
      const api = testRole("api");
      checkout().grantStart(api);
      Saga.fromAttributes("fulfilment", { arn: imported }).grantStart(api);
    });
    const statements = run.statementsOf(String(run.one("aws:iam/role:Role", "api").outputs.name));
    assert.deepEqual(
      statements.map((s) => [list(s.Action as string[]), list(s.Resource as string[])]).sort((a, b) => a[1][0].localeCompare(b[1][0])),
      [
        [["states:StartExecution"], [String(stateMachineOf(run).outputs.arn)]],
        [["states:StartExecution"], [imported]],
      ].sort((a, b) => a[1][0].localeCompare(b[1][0])),
    );
  });

  it("fails on duplicate step names, naming the name, before creating anything", async () => {
    let message = "";
    const run = await mockRun(() => {
      const f = testFunction("charge");
      try {
        new Saga("checkout", { steps: [{ name: "Charge", invoke: f }, { name: "Charge", invoke: f }] });
      } catch (e) {
        message = (e as Error).message;
      }
    });
    assert.match(message, /Saga "checkout": the state name "Charge" is used twice/);
    assert.equal(run.ofType(SAGA).length, 0, "not even the component was registered");
    assert.equal(run.resources.filter((r) => r.name.startsWith("checkout")).length, 0);
  });

  it("fails on an invalid definition with asl-validator's messages", async () => {
    await assert.rejects(
      mockRun(() => new Saga("checkout", { steps: [{ name: "Charge", invoke: testFunction("charge"), resultPath: "$..[" }] })),
      (e: Error) => /not valid ASL/.test(e.message) && /ResultPath/i.test(e.message),
    );
  });

  it("rejects a bad type and retention, naming the option and the value", async () => {
    await assert.rejects(
      mockRun(() => checkout({ type: "SLOW" as "STANDARD" })),
      /`type` must be "STANDARD" or "EXPRESS", but "SLOW" was provided/,
    );
    await assert.rejects(mockRun(() => checkout({ logRetentionInDays: 0 })), /`logRetentionInDays` must be an integer from 1 to 3653 days, but 0/);
  });
});
