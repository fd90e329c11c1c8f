import { strict as assert } from "node:assert";
import { EmailSender } from "../../../components/email-sender";
import { SmsSender } from "../../../components/sms-sender";
import { emailSendingFromGraph, originationIdentitiesFromGraph } from "../../../localcloud/graph/messaging";
import { testFunction } from "../../helpers/doubles";
import { mockRun } from "../../helpers/pulumi";

const POOL_ARN = "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0b6a1b2c";

describe("localcloud/graph/messaging", () => {
  it("reads the SES identities (domain and address) with their default configuration set, and the configuration sets", async () => {
    const run = await mockRun(() => {
      new EmailSender("customerEmail", { identity: "dev.orderflow.example.com", fromAddress: "orders@dev.orderflow.example.com" });
      new EmailSender("alerts", { identity: "alerts@ops.example.org", fromAddress: "alerts@ops.example.org", configurationSetName: "alerts-set" });
    });
    const email = emailSendingFromGraph(run.resources);
    const identities = [...email.identities].sort((a, b) => a.component.localeCompare(b.component));
    const configurationSets = email.configurationSets.map((c) => [c.name, c.sendingEnabled]).sort();
    assert.deepEqual(
      identities.map((i) => [i.component, i.identity, i.type, i.arn, i.defaultConfigurationSet]),
      [
        ["alerts", "alerts@ops.example.org", "EMAIL_ADDRESS", "arn:aws:ses:us-east-1:123456789012:identity/alerts@ops.example.org", "alerts-set"],
        ["customerEmail", "dev.orderflow.example.com", "DOMAIN", "arn:aws:ses:us-east-1:123456789012:identity/dev.orderflow.example.com", "orderflow-test-customerEmail"],
      ],
    );
    assert.deepEqual(configurationSets, [["alerts-set", true], ["orderflow-test-customerEmail", true]]);
  });

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
