import { strict as assert } from "node:assert";
import { EmailSender } from "../../../../components/email-sender";
import { emailSendingFromGraph } from "../../../../localcloud/services/ses/spec";
import { mockRun } from "../../../helpers/pulumi";

describe("localcloud/services/ses/spec", () => {
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
});
