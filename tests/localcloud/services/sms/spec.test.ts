import { strict as assert } from "node:assert";
import { SmsSender } from "../../../../components/sms-sender";
import { originationIdentitiesFromGraph } from "../../../../localcloud/services/sms/spec";
import { testFunction } from "../../../helpers/doubles";
import { mockRun } from "../../../helpers/pulumi";

const POOL_ARN = "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0b6a1b2c";

describe("localcloud/services/sms/spec", () => {
  it("reads the simulator number the stack requests, and a registered identity from the grant that names it", async () => {
    const run = await mockRun(() => {
      new SmsSender("customerSms", { simulator: true }).grantSendText(testFunction("sendSms"));
      new SmsSender("registered", { originationIdentityArn: POOL_ARN }).grantSendText(testFunction("sendOther"));
    });
    const identities = originationIdentitiesFromGraph(run.resources);
    assert.equal(identities.length, 2);
    const simulator = identities.find((i) => i.simulator)!;
    const pool = identities.find((i) => !i.simulator)!;
    assert.deepEqual([simulator.component, simulator.simulator, simulator.isoCountryCode, simulator.optOutListName, simulator.selfManagedOptOuts], ["customerSms", true, "US", "Default", false]);
    assert.match(simulator.arn, /^arn:aws:sms-voice:us-east-1:123456789012:phone-number\/phone-[0-9a-f]+$/);
    assert.deepEqual(simulator.names, [simulator.arn, simulator.arn.split("/")[1], "+12065550100"]);
    assert.deepEqual([pool.component, pool.arn, pool.names, pool.simulator], ["pool-0b6a1b2c", POOL_ARN, [POOL_ARN, "pool-0b6a1b2c"], false]);
  });
});
