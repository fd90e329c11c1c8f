import { strict as assert } from "node:assert";
import type { RecordedResource } from "../../../ops/engine/recording-monitor";
import { formatUnusedByScenarios, unusedByScenarios } from "../../../ops/access/scenario-usage";

// The dynamic half: which granted actions no recorded scenario used, per role.
const ROLE = "arn:aws:iam::123456789012:role/getOrderRole-1";
const TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders";

function resource(type: string, name: string, inputs: Record<string, unknown>, outputs: Record<string, unknown> = {}): RecordedResource {
  return { urn: `urn:pulumi:dev::orderflow::${type}::${name}`, type, name, custom: true, dependencies: [], propertyDependencies: {}, inputs, outputs };
}

const resources = [
  resource("aws:iam/role:Role", "getOrderRole", {}, { arn: ROLE, name: "getOrderRole-1" }),
  resource("aws:iam/rolePolicy:RolePolicy", "getOrder-grant-orders", {
    role: "getOrderRole-1",
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:Scan"], Resource: [TABLE, `${TABLE}/index/*`] }] }),
  }),
  resource("aws:iam/rolePolicy:RolePolicy", "getOrder-xray", {
    role: "getOrderRole-1",
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["xray:PutTraceSegments"], Resource: "*" }] }),
  }),
];

describe("ops/access: grants no scenario used", () => {
  it("lists a role's granted actions no allowed decision matched, leaving out what the local cloud never decides", () => {
    const record = {
      env: "dev",
      recordedAt: "2026-12-07T12:00:00.000Z",
      scenarios: ["happy-path"],
      principals: [{ principal: ROLE, name: "getOrder", decisions: [{ action: "dynamodb:GetItem", resource: TABLE, allowed: true, count: 3 }, { action: "dynamodb:Scan", resource: TABLE, allowed: false, count: 1 }] }],
    };
    const unused = unusedByScenarios(resources, record, () => "getOrder");
    // A denied Scan is no use of the grant; X-Ray is not decided locally, so it is not listed as unused.
    assert.deepEqual(unused, [{ principal: "getOrder", grant: "getOrder-grant-orders", actions: ["dynamodb:Scan"] }]);
    const lines = formatUnusedByScenarios(record, unused, "access.json");
    assert.equal(lines[0], "Access: 4 decisions for 1 principals (1 denied), written to access.json.");
    assert.match(lines.at(-1)!, /^ {2}getOrder {2}getOrder-grant-orders: dynamodb:Scan$/);
  });
});
