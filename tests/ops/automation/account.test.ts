import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetAccountSettingsCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "node:assert";
import path from "node:path";
import { plannedDeployment } from "../../../ops/automation/account-check";
import { OperationError } from "../../../ops/automation/errors";
import { planRun } from "../../../ops/automation/plan";
import { checkAccount, type AccountCheck, type FunctionReservation, type PlannedDeployment } from "../../../ops/automation/preflight";
import { FakeWorkspace, runFake } from "../../helpers/fake-workspace";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** `count` functions of a stack, each reserving `each`. */
function reserving(stack: string, count: number, each: number): FunctionReservation[] {
  return Array.from({ length: count }, (_, i) => ({ stack, name: `fn${i}Function`, reservedConcurrency: each }));
}

// What prod reserves with the repository's settings: 50 per function, 100 for the orders API's (Pulumi.prod.orders.yaml).
const PROD: PlannedDeployment = {
  reservations: [...reserving("prod.orders", 5, 100), ...reserving("prod.inventory", 2, 50), ...reserving("prod.payments", 2, 50), ...reserving("prod.shipping", 1, 50), ...reserving("prod.notifications", 2, 50)],
  defaultVpcUsers: [],
  reservationSettings: ["Pulumi.prod.yaml", "Pulumi.prod.orders.yaml"],
};

describe("ops/automation account check: what up asks of the AWS account before anything changes", () => {
  const lambda = mockClient(LambdaClient);
  const ec2 = mockClient(EC2Client);
  beforeEach(() => {
    lambda.reset();
    ec2.reset();
  });
  after(() => {
    lambda.restore();
    ec2.restore();
  });

  const account = (limit: number, unreserved: number) =>
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: limit, UnreservedConcurrentExecutions: unreserved } });
  const check = (planned: PlannedDeployment, deployed: readonly FunctionReservation[] = []): AccountCheck => ({
    planned: async () => planned,
    deployed: async () => deployed,
    lambda: new LambdaClient({ region: "us-east-1" }),
    ec2: new EC2Client({ region: "us-east-1" }),
    where: 'account "prod" in us-east-1',
  });
  const refusal = async (planned: PlannedDeployment, deployed: readonly FunctionReservation[] = []): Promise<string> => {
    try {
      await checkAccount(planRun("prod", "up"), check(planned, deployed));
    } catch (error) {
      assert.ok(error instanceof OperationError, String(error));
      return error.message;
    }
    assert.fail("the account check passed");
  };

  it("lets prod's 850 reserved executions into an account of its own with the default quota of 1,000", async () => {
    account(1000, 1000);
    await checkAccount(planRun("prod", "up"), check(PROD));
    assert.equal(lambda.commandCalls(GetAccountSettingsCommand).length, 1);
  });

  it("refuses prod beside staging's 120 in one account, naming the numbers, the files that set them and the fixes", async () => {
    account(1000, 880);
    const message = await refusal(PROD);
    assert.match(message, /prod would reserve 850 concurrent Lambda executions \(prod\.orders 500 \(5 function\(s\)\), prod\.inventory 100/);
    assert.match(message, /allows 1000 in all, of which Lambda keeps 100 unreserved, so at most 900 can be reserved, and other functions reserve 120 already/);
    assert.match(message, /set orderflow:reservedConcurrency lower, or to none, in Pulumi\.prod\.yaml and Pulumi\.prod\.orders\.yaml/);
    assert.match(message, /"Concurrent executions" quota/);
    assert.match(message, /nothing was changed/);
  });

  it("refuses any reservation in a new account, whose quota of 10 leaves nothing to reserve", async () => {
    account(10, 10);
    assert.match(await refusal(PROD), /allows 10 in all, of which Lambda keeps 100 unreserved, so at most 0 can be reserved \(a new account's quota admits no reservation at all\)/);
  });

  it("counts what the environment reserves already as its own on a redeploy", async () => {
    account(1000, 150);
    await checkAccount(planRun("prod", "up"), check(PROD, PROD.reservations));
    // The same account, with 60 of the 850 reserved by someone else.
    account(1000, 90);
    assert.match(await refusal(PROD, PROD.reservations), /other functions reserve 60 already/);
  });

  it("asks Lambda nothing when nothing is reserved", async () => {
    await checkAccount(planRun("dev", "up"), check({ reservations: [], defaultVpcUsers: [], reservationSettings: [] }));
    assert.equal(lambda.commandCalls(GetAccountSettingsCommand).length, 0);
    assert.equal(ec2.commandCalls(DescribeVpcsCommand).length, 0);
  });

  it("refuses a worker in the default VPC of an account that has none, naming the setting that avoids it", async () => {
    const devShipping: PlannedDeployment = { reservations: [], defaultVpcUsers: [{ stack: "dev.shipping", name: "labelWorker" }], reservationSettings: [] };
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    let message = "";
    await checkAccount(planRun("dev", "up"), check(devShipping)).catch((e: Error) => (message = e.message));
    assert.match(message, /has no default VPC \(many organizations delete it\), and labelWorker in dev\.shipping would run in it/);
    assert.match(message, /set orderflow:labelWorkerVpc: private in Pulumi\.dev\.yaml/);
    assert.deepEqual(ec2.commandCalls(DescribeVpcsCommand)[0].args[0].input, { Filters: [{ Name: "isDefault", Values: ["true"] }] });
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: "vpc-1", IsDefault: true }] });
    await checkAccount(planRun("dev", "up"), check(devShipping));
  });

  it("runs before up changes any stack, and only for up", async () => {
    account(10, 10);
    const refusing = { ...check(PROD) };
    const ws = new FakeWorkspace();
    await assert.rejects(runFake(ws, { operation: "up", env: "prod" }, undefined, refusing), /cannot take prod as configured/);
    assert.deepEqual(ws.startOrder, [], "no stack was touched");
    const preview = new FakeWorkspace();
    await runFake(preview, { operation: "preview", env: "prod" }, undefined, refusing);
    assert.equal(preview.startOrder.length, 8);
  });

  describe("what the environment would deploy, read from its synthesized stacks", function () {
    this.timeout(60_000);

    it("prod: every function's reservation, 850 in all, and the files that set them", async () => {
      const planned = await plannedDeployment(planRun("prod", "up"), ROOT);
      assert.equal(planned.reservations.reduce((n, r) => n + r.reservedConcurrency, 0), 850);
      assert.deepEqual(new Set(planned.reservations.filter((r) => r.stack === "prod.orders").map((r) => r.reservedConcurrency)), new Set([100]));
      assert.deepEqual(planned.reservationSettings, ["Pulumi.prod.yaml", "Pulumi.prod.orders.yaml"]);
      assert.deepEqual(planned.defaultVpcUsers, []);
    });

    it("dev: no reservation, and the label worker in the default VPC", async () => {
      const planned = await plannedDeployment(planRun("dev", "up", "shipping"), ROOT);
      assert.deepEqual(planned.reservations, []);
      assert.deepEqual(planned.defaultVpcUsers, [{ stack: "dev.shipping", name: "labelWorker" }]);
    });
  });
});
