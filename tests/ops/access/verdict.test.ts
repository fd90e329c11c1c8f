import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import { analyzeAccess, type EnvironmentVerdict } from "../../../ops/access/analyze";
import { formatVerdict, problemCount } from "../../../ops/access/report";
import { synthesizeResolvedEnvironment, type ResolvedStack } from "../../../ops/offline/synthesize";
import type { StackKind } from "../../../stacks/environments";
import { synthesizedEnvironment } from "../../helpers/synthesized";

// The least-privilege verdict on the real program: clean on every environment, and failing, with the grant call to
// change, when a grant is widened or taken away on purpose.

/** dev's stacks with one stack synthesized again under a transformation of its RolePolicies. */
async function devWith(kind: StackKind, policyName: string, change: (document: { Statement: { Action: string[] }[] }) => void): Promise<ResolvedStack[]> {
  const program = async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      if (args.type !== "aws:iam/rolePolicy:RolePolicy" || args.name !== policyName) return undefined;
      const policy = pulumi.output(args.props.policy as pulumi.Input<string>).apply((text) => {
        const document = JSON.parse(text) as { Statement: { Action: string[] }[] };
        change(document);
        return JSON.stringify(document);
      });
      return { props: { ...args.props, policy }, opts: args.opts };
    });
    const { runStack } = await import("../../../stacks/program");
    return runStack();
  };
  const changed = await synthesizeResolvedEnvironment({ env: "dev", only: kind, program });
  assert.ok(
    changed.some((s) => s.resolved.resources.some((r) => r.name === policyName)),
    `no RolePolicy ${policyName} in ${kind}: the test changes nothing`,
  );
  return (await synthesizedEnvironment("dev")).map((s) => changed.find((c) => c.kind === s.kind) ?? s);
}

function messages(verdict: EnvironmentVerdict): string[] {
  return [...verdict.blind, ...verdict.principals.flatMap((p) => p.findings.map((f) => f.message))];
}

describe("ops/access: the least-privilege verdict", function () {
  this.timeout(180_000);

  for (const env of ["dev", "staging", "prod"] as const) {
    it(`holds on ${env}: every granted action is reachable, every reachable action is granted`, async () => {
      const stacks = env === "dev" ? await synthesizedEnvironment("dev") : await synthesizeResolvedEnvironment({ env });
      const verdict = await analyzeAccess({ env, stacks });
      assert.deepEqual(messages(verdict), []);
      // Every role is judged: the functions, the worker's two roles, the pipe, the saga and API Gateway's logs role.
      const names = verdict.principals.map((p) => p.name);
      for (const name of ["placeOrder", "getOrder", "createShipment", "sendEmail", "labelWorker", "labelWorker (execution)", "newOrders", "checkout", "apiGatewayLogs"]) {
        assert.ok(names.includes(name), `${name} was not judged: ${names.join(", ")}`);
      }
      assert.match(formatVerdict(verdict).at(-1)!, new RegExp(`^Least privilege holds on ${env}`));
    });
  }

  it("reads what each function's code can call, Powertools' idempotency store and the worker's sqs-consumer included", async () => {
    const verdict = await analyzeAccess({ env: "dev", stacks: await synthesizedEnvironment("dev") });
    const reachable = (name: string) => verdict.principals.find((p) => p.name === name)!.reachable.filter((a) => /^(dynamodb|sqs|events|ses|sms-voice):/.test(a));
    // Each function's own calls, and Lambda's SendMessage to its on-failure destination.
    assert.deepEqual(reachable("getOrder"), ["dynamodb:GetItem", "sqs:SendMessage"]);
    assert.deepEqual(reachable("placeOrder"), ["dynamodb:GetItem", "dynamodb:PutItem", "sqs:SendMessage"]);
    // The transaction's items are its actions: conditional updates of the stock and the reservation's put.
    assert.deepEqual(reachable("reserveStock"), ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "sqs:SendMessage"]);
    // Its own calls, the idempotency store's four, the event source mapping's polling, and its on-failure destination.
    assert.deepEqual(reachable("createShipment"), [
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "events:PutEvents",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]);
    assert.deepEqual(reachable("labelWorker"), ["dynamodb:GetItem", "dynamodb:UpdateItem", "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:ReceiveMessage"]);
    assert.deepEqual(reachable("sendEmail"), ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "ses:SendEmail", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:SendMessage"]);
  });

  it("fails when getOrder is given dynamodb:Scan, naming the unused action and the grant call to narrow", async () => {
    const stacks = await devWith("orders", "getOrder-grant-orders", (d) => d.Statement[0].Action.push("dynamodb:Scan"));
    const verdict = await analyzeAccess({ env: "dev", stacks });
    assert.equal(problemCount(verdict), 1, messages(verdict).join("\n"));
    const [finding] = verdict.principals.find((p) => p.name === "getOrder")!.findings;
    assert.equal(finding.kind, "unused");
    assert.ok(finding.kind === "unused");
    assert.deepEqual(finding.actions, ["dynamodb:Scan"]);
    assert.equal(finding.call, "orders.grant(getOrder)");
    assert.match(finding.message, /^getOrder: getOrder-grant-orders grants dynamodb:Scan, which getOrder can never call .*; narrow `orders\.grant\(getOrder\)` to the actions it needs: dynamodb:GetItem$/);
    assert.match(formatVerdict(verdict).at(-1)!, /^Least privilege does not hold on dev: 1 problem\.$/);
  });

  it("fails when createShipment loses its send grant on the labels queue, naming the code that calls it", async () => {
    const stacks = await devWith("shipping", "createShipment-send-labels", (d) => {
      d.Statement[0].Action = d.Statement[0].Action.filter((a) => a !== "sqs:SendMessage");
      d.Statement[0].Action.push("sqs:GetQueueUrl");
    });
    const verdict = await analyzeAccess({ env: "dev", stacks });
    const found = messages(verdict);
    assert.equal(found.length, 2, found.join("\n"));
    assert.ok(found.some((m) => /^createShipment: code handlers\/shipping\/create-shipment\.ts:\d+ calls sqs:SendMessage on arn:aws:sqs:[^ ]+:labelsQueue-\w+, and no grant of its role allows it/.test(m)), found.join("\n"));
    // The action left in its place is used by nothing: the grant names itself for removal.
    assert.ok(found.some((m) => m.includes("createShipment-send-labels grants sqs:GetQueueUrl") && m.includes("remove `labels.grantSend(createShipment)`")), found.join("\n"));
  });

  it("counts a grant a recorded scenario used as used, and says when no run was recorded", async () => {
    const stacks = await devWith("orders", "getOrder-grant-orders", (d) => d.Statement[0].Action.push("dynamodb:Scan"));
    const base = await analyzeAccess({ env: "dev", stacks });
    const getOrder = base.principals.find((p) => p.name === "getOrder")!;
    const table = "arn:aws:dynamodb:us-east-1:123456789012:table/";
    const orders = (await synthesizedEnvironment("dev")).flatMap((s) => s.resolved.resources).find((r) => r.type === "aws:dynamodb/table:Table" && String(r.outputs.arn).startsWith(`${table}ordersTable`))!;
    const record = {
      env: "dev",
      recordedAt: "2026-12-07T00:00:00.000Z",
      scenarios: ["happy-path"],
      principals: [{ principal: getOrder.roleArn, name: "getOrder", decisions: [{ action: "dynamodb:Scan", resource: String(orders.outputs.arn), allowed: true, count: 1 }] }],
    };
    const withRun = await analyzeAccess({ env: "dev", stacks, record });
    assert.equal(problemCount(withRun), 0, messages(withRun).join("\n"));
    assert.deepEqual(withRun.principals.find((p) => p.name === "getOrder")!.used, ["dynamodb:Scan"]);
    assert.match(formatVerdict(base)[0], /no local run recorded/);
  });
});
