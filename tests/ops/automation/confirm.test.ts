import { strict as assert } from "node:assert";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { OperationError } from "../../../ops/automation/errors";
import { ExitCode } from "../../../ops/automation/exit-codes";
import { plainReporter } from "../../../ops/automation/progress";
import { runOperation, type OperationRequest } from "../../../ops/automation/run-operation";
import { fakeMachine, FakeWorkspace, quietAccount, stepEvent, tempRepo, urnOf } from "../../helpers/fake-workspace";

/** Runs an operation as at a terminal (or not), answering the question from `answers` in turn. */
async function operate(ws: FakeWorkspace, request: Partial<OperationRequest> & Pick<OperationRequest, "operation">, answers: string[] = [], interactive = true) {
  const out: string[] = [];
  const progress: string[] = [];
  const questions: string[] = [];
  /** How many calls the workspace had seen when each line was written. */
  const callsAtWrite: number[] = [];
  const run = runOperation(
    { env: "dev", parallel: 8, json: false, ...request },
    {
      machine: fakeMachine(),
      workspace: ws,
      reporter: plainReporter((l) => progress.push(l)),
      write: (t) => {
        out.push(t);
        callsAtWrite.push(ws.calls.length);
      },
      repoRoot: tempRepo(),
      accountCheck: quietAccount(),
      interactive,
      ask: async (question) => {
        questions.push(question);
        const answer = answers.shift();
        if (answer === undefined) throw new Error("no more answers (end of input)");
        return answer;
      },
    },
  );
  return { run, out, progress, questions, callsAtWrite };
}

const methods = (ws: FakeWorkspace, method: string) => ws.calls.filter((c) => c.method === method).map((c) => c.stack);
/** The environment's stacks: what destroy removes. up also deploys the account's bootstrap stack first. */
const ENVIRONMENT = ["dev", "dev.orders", "dev.inventory", "dev.payments", "dev.shipping", "dev.notifications", "dev.checkout"];
const ALL = ["bootstrap.nonprod", ...ENVIRONMENT];

describe("ops/automation: up and destroy ask first, as `pulumi up` does", () => {
  it("without --yes and without a terminal, refuses with exit 2 and says why, touching no stack", async () => {
    const ws = new FakeWorkspace();
    const { run } = await operate(ws, { operation: "up" }, [], false);
    await assert.rejects(run, (err: Error) => {
      assert.ok(err instanceof OperationError);
      assert.equal(err.exitCode, ExitCode.error);
      assert.match(err.message, /there is no terminal to ask in\. Pass --yes to up without asking/);
      return true;
    });
    assert.deepEqual(ws.calls, []);
  });

  it("previews every stack first, shows each plan with its policy results, asks yes / no / details, then deploys", async () => {
    const policyEvent: EngineEvent = {
      sequence: 1,
      timestamp: 0,
      policyEvent: {
        resourceUrn: urnOf("dev.orders", "aws:dynamodb/table:Table", "ordersTable"),
        message: "ordersTable: point-in-time recovery is off",
        color: "never",
        policyName: "dynamodb-pitr",
        policyPackName: "orderflow",
        policyPackVersion: "0.1.0",
        policyPackVersionTag: "v0.1.0",
        enforcementLevel: "warning",
      },
    };
    const created: EngineEvent = stepEvent("create", urnOf("dev.orders", "aws:sqs/queue:Queue", "ordersQueue"));
    created.resourcePreEvent!.metadata.new = { type: "aws:sqs/queue:Queue", urn: created.resourcePreEvent!.metadata.urn, custom: true, delete: false, id: "", parent: "", protect: false, inputs: { visibilityTimeoutSeconds: 60 }, outputs: {}, initErrors: [] } as never;
    const ws = new FakeWorkspace().behave("dev.orders", { events: [policyEvent, created], changes: { create: 1, same: 2 }, only: ["preview"] });
    const { run, out, questions } = await operate(ws, { operation: "up" }, ["details", "yes"]);
    const outcome = await run;

    assert.equal(outcome.exitCode, ExitCode.ok);
    assert.deepEqual(methods(ws, "preview").sort(), [...ALL].sort());
    assert.deepEqual(methods(ws, "up").sort(), [...ALL].sort());
    assert.ok(ws.log.indexOf("start dev") < ws.calls.findIndex((c) => c.method === "up"));
    assert.ok(ws.calls.slice(0, ALL.length).every((c) => c.method === "preview"), "every preview ran before the first up");
    assert.ok(ws.calls.every((c) => c.method !== "preview" || (Array.isArray(c.options.policyPacks) && c.options.policyPacks.length === 1)), "previews run the policy pack");
    const text = out.join("\n");
    assert.match(text, /=== dev\.orders ===\npreview dev\.orders/, "each stack's preview, as the CLI printed it");
    assert.match(text, /dev\.orders: 1 to create; 1 policy finding/);
    assert.deepEqual(questions, ["Do you want to perform this update? yes / no / details [no]: ", "Do you want to perform this update? yes / no / details [no]: "]);
    assert.match(text, /dev\.orders:\n {4}\+ aws:sqs\/queue:Queue: \(create\)\n {8}\[urn=urn:pulumi:dev\.orders::orderflow::aws:sqs\/queue:Queue::ordersQueue\]\n {8}visibilityTimeoutSeconds: 60/, "details lists the steps");
  });

  it("does nothing when the answer is no (or there is no answer), and exits 2", async () => {
    for (const answers of [["no"], ["maybe", "n"], []]) {
      const ws = new FakeWorkspace();
      const { run, out } = await operate(ws, { operation: "up" }, answers);
      await assert.rejects(run, /confirmation declined, not proceeding with the update/);
      assert.deepEqual(methods(ws, "up"), [], JSON.stringify(answers));
      if (answers[0] === "maybe") assert.ok(out.some((l) => l.includes('Please answer yes, no or details (got "maybe")')));
    }
  });

  it("does not ask when a stack's preview fails, and reports the failure with the exit code of the preview", async () => {
    const ws = new FakeWorkspace().behave("dev.payments", { error: new Error("error: unable to validate AWS credentials") });
    const { run, questions, out } = await operate(ws, { operation: "up" }, ["yes"]);
    const outcome = await run;
    assert.equal(outcome.exitCode, ExitCode.error);
    assert.deepEqual(questions, []);
    assert.deepEqual(methods(ws, "up"), []);
    assert.match(out.join("\n"), /Not asking: the update cannot go ahead while a stack's preview fails\./);
  });

  it("previews what destroy deletes, says first which deletion protection will stop it, then asks", async () => {
    const table = urnOf("dev.orders", "aws:dynamodb/table:Table", "ordersTable");
    const bus = urnOf("dev", "aws:cloudwatch/eventBus:EventBus", "ordersBus");
    const ws = new FakeWorkspace()
      .behave("dev.orders", { state: { resources: [{ urn: table, type: "aws:dynamodb/table:Table", outputs: { deletionProtectionEnabled: true } }] } })
      .behave("dev", { state: { resources: [{ urn: bus, type: "aws:cloudwatch/eventBus:EventBus", protect: true }] } });
    const { run, out, callsAtWrite, questions } = await operate(ws, { operation: "destroy" }, ["yes"]);
    await run;

    const warning = out.findIndex((l) => l.startsWith("warning: deletion protection will stop this destroy at 2 resources"));
    assert.ok(warning >= 0, out.join("\n"));
    assert.equal(callsAtWrite[warning], 0, "said before any stack was previewed or destroyed");
    assert.match(out[warning], /dev\.orders: aws:dynamodb\/table:Table ordersTable: AWS deletion protection is on \(deletionProtectionEnabled\); set `orderflow:deletionProtection: false`/);
    assert.match(out[warning], /dev: aws:cloudwatch\/eventBus:EventBus ordersBus: Pulumi protects it \(protect: true\); `pulumi state unprotect 'urn:pulumi:dev::orderflow::aws:cloudwatch\/eventBus:EventBus::ordersBus'`/);
    assert.deepEqual(methods(ws, "previewDestroy").sort(), [...ENVIRONMENT].sort());
    assert.deepEqual(questions, ["Do you want to perform this destroy? yes / no / details [no]: "]);
    assert.deepEqual(methods(ws, "destroy")[0], "dev.checkout");
  });

  it("with --yes says what deletion protection will stop, and destroys without asking", async () => {
    const table = urnOf("dev.orders", "aws:dynamodb/table:Table", "ordersTable");
    const ws = new FakeWorkspace().behave("dev.orders", { state: { resources: [{ urn: table, type: "aws:dynamodb/table:Table", inputs: { deletionProtectionEnabled: true } }] } });
    const { run, out, questions } = await operate(ws, { operation: "destroy", yes: true }, [], false);
    await run;
    assert.ok(out.some((l) => l.includes("dev.orders: aws:dynamodb/table:Table ordersTable: AWS deletion protection is on")));
    assert.deepEqual(questions, []);
    assert.deepEqual(methods(ws, "previewDestroy"), []);
    assert.equal(methods(ws, "destroy").length, ENVIRONMENT.length);
  });
});

describe("ops/automation: a failure is reported once", () => {
  it("gives the Pulumi CLI's own stderr in the summary, and only there", async () => {
    // The Automation API's CommandError: the CLI exited non-zero; its message repeats stdout and stderr.
    const stderr = "error: could not load plugin for aws provider 'default_7_48_0': no resource plugin 'pulumi-resource-aws' found\n  Install it with `pulumi plugin install resource aws v7.48.0`.\n";
    const failure = Object.assign(new Error(`code: 255\n stdout: Previewing update (dev.orders)\n\n stderr: ${stderr}\n err?: \n`), {
      commandResult: { stdout: "Previewing update (dev.orders)\n", stderr, code: 255 },
    });
    const ws = new FakeWorkspace().behave("dev.orders", { error: failure });
    const { run, out, progress } = await operate(ws, { operation: "up", yes: true });
    const outcome = await run;

    assert.equal(outcome.exitCode, ExitCode.error);
    const everything = [...progress, ...out].join("\n");
    assert.equal(everything.split("no resource plugin 'pulumi-resource-aws' found").length - 1, 1, everything);
    assert.match(out.join("\n"), /Failed:\n {2}dev\.orders:\n {4}error: could not load plugin for aws provider 'default_7_48_0'.*\n {6}Install it with `pulumi plugin install resource aws v7\.48\.0`\./);
    assert.ok(progress.includes("[dev.orders] failed (see the summary)"), progress.join("\n"));
  });
});
