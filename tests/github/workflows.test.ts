import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { OPERATIONS } from "../../ops/automation/plan";
import { ENVIRONMENTS } from "../../stacks/environments";

const ROOT = path.resolve(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const VALIDATOR = path.join(ROOT, "node_modules", "@action-validator", "cli", "cli.mjs");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  strategy?: { matrix?: { env?: string[] } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** Runs @action-validator/cli on a file, as `npx action-validator <file>` would. */
function validate(file: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [VALIDATOR, file], { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function load(name: string): Workflow {
  return parse(fs.readFileSync(path.join(WORKFLOWS, name), "utf8")) as Workflow;
}

const stepsOf = (wf: Workflow) => Object.values(wf.jobs).flatMap((job) => job.steps);
const runs = (wf: Workflow) => stepsOf(wf).flatMap((s) => (s.run ? [s.run] : []));
const uses = (wf: Workflow, action: string) => stepsOf(wf).filter((s) => s.uses?.split("@")[0] === action);

describe(".github/workflows", () => {
  it("holds the ci, preview, deploy and drift workflows, and every workflow is valid for @action-validator/cli", () => {
    const files = fs.readdirSync(WORKFLOWS).sort();
    for (const expected of ["ci.yml", "deploy.yml", "drift.yml", "preview.yml"]) assert.ok(files.includes(expected), expected);
    for (const file of files) {
      const { status, output } = validate(path.join(WORKFLOWS, file));
      assert.equal(status, 0, `${file} is invalid:\n${output}`);
    }
  });

  it("the validator rejects a workflow with a misspelt key, so the check above can fail", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orderflow-wf-"));
    const file = path.join(dir, "broken.yml");
    fs.writeFileSync(file, fs.readFileSync(path.join(WORKFLOWS, "ci.yml"), "utf8").replace("runs-on:", "runs_on:"));
    const { status, output } = validate(file);
    assert.equal(status, 1);
    assert.match(output, /runs_on/);
  });

  it("run orderflow exactly as `npm run orderflow` does, with operations the CLI knows", () => {
    const script = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.orderflow;
    for (const file of fs.readdirSync(WORKFLOWS)) {
      const wf = load(file);
      assert.equal(wf.env?.ORDERFLOW, script, file);
      assert.ok(fs.existsSync(path.join(ROOT, "ops", "cli.ts")));
      for (const run of runs(wf).filter((r) => r.includes("$ORDERFLOW"))) {
        const operation = /\$ORDERFLOW (\S+)/.exec(run)![1];
        assert.ok((OPERATIONS as readonly string[]).includes(operation), `${file}: unknown operation "${operation}"`);
      }
    }
  });

  it("set up Node from .nvmrc in every job, and .nvmrc names a Node that package.json's engines admit", () => {
    const nvmrc = fs.readFileSync(path.join(ROOT, ".nvmrc"), "utf8").trim();
    const engines = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
    const floor = Number(/^>=\s*(\d+)$/.exec(engines)?.[1]);
    assert.ok(Number(nvmrc) >= floor && floor >= 22, `.nvmrc (${nvmrc}) and engines (${engines}) must name Node 22 or later`);
    for (const file of fs.readdirSync(WORKFLOWS)) {
      const setups = uses(load(file), "actions/setup-node");
      for (const setup of setups) {
        assert.equal(setup.with?.["node-version-file"], ".nvmrc", `${file}: setup-node without node-version-file .nvmrc`);
        assert.equal(setup.with?.["node-version"], undefined, `${file}: setup-node names a version of its own`);
      }
    }
  });

  describe("ci.yml", () => {
    const ci = load("ci.yml");

    it("runs on pushes and pull requests: npm ci then npm test on .nvmrc's Node, with Java 17 for DynamoDB Local", () => {
      assert.ok("push" in ci.on && "pull_request" in ci.on);
      const test = ci.jobs.test.steps;
      assert.equal(test.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version-file"], ".nvmrc");
      assert.equal(test.find((s) => s.uses?.startsWith("actions/setup-java@"))?.with?.["java-version"], 17);
      const commands = test.flatMap((s) => (s.run ? [s.run.trim()] : []));
      assert.deepEqual(commands, ["npm ci", "npm test"]);
    });

    it("previews every environment offline with --json after the tests, and uploads .orderflow/<env>/", () => {
      const job = ci.jobs["offline-preview"];
      assert.equal(job.needs, "test");
      assert.deepEqual(job.strategy?.matrix?.env, [...ENVIRONMENTS]);
      assert.ok(job.steps.some((s) => s.run?.includes("$ORDERFLOW preview --env ${{ matrix.env }} --offline --json")));
      const upload = job.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
      assert.equal(upload?.with?.path, ".orderflow/${{ matrix.env }}/");
    });
  });

  describe("preview.yml", () => {
    const preview = load("preview.yml");

    it("previews each environment on pull requests with the Pulumi CLI and OIDC credentials, not offline", () => {
      assert.deepEqual(Object.keys(preview.on), ["pull_request"]);
      assert.equal(preview.permissions?.["id-token"], "write");
      assert.deepEqual(preview.jobs.preview.strategy?.matrix?.env, [...ENVIRONMENTS]);
      assert.equal(uses(preview, "pulumi/actions").length, 1);
      assert.ok(uses(preview, "aws-actions/configure-aws-credentials")[0].with?.["role-to-assume"]);
      const run = runs(preview).find((r) => r.includes("$ORDERFLOW preview"))!;
      assert.match(run, /\$ORDERFLOW preview --env \$\{\{ matrix\.env \}\}/);
      assert.doesNotMatch(run, /--offline/);
    });

    it("posts the output as one PR comment per environment, updated in place", () => {
      assert.equal(preview.permissions?.["pull-requests"], "write");
      const script = String(uses(preview, "actions/github-script")[0].with?.script);
      assert.match(script, /orderflow-preview:\$\{env\}/);
      assert.match(script, /updateComment/);
      assert.match(script, /createComment/);
    });
  });

  describe("deploy.yml", () => {
    const deploy = load("deploy.yml");

    it("deploys dev on push to main and any environment on dispatch", () => {
      assert.deepEqual(deploy.on.push, { branches: ["main"] });
      const dispatch = deploy.on.workflow_dispatch as { inputs: { environment: { options: string[] } } };
      assert.deepEqual(dispatch.inputs.environment.options, [...ENVIRONMENTS]);
      assert.match(deploy.jobs.dev.if!, /github\.event_name == 'push'/);
    });

    it("gates each environment with its GitHub environment, promoting dev → staging → prod", () => {
      for (const env of ENVIRONMENTS) {
        const job = deploy.jobs[env];
        assert.equal(typeof job.environment === "string" ? job.environment : job.environment?.name, env);
        // Without a terminal, up refuses to deploy unless --yes says the approval already happened (the environment gate).
        assert.ok(job.steps.some((s) => s.run?.includes(`$ORDERFLOW up --env ${env}`) && /\s--yes\b/.test(s.run)), env);
        assert.deepEqual(job.concurrency, { group: `deploy-${env}`, "cancel-in-progress": false });
      }
      assert.equal(deploy.jobs.staging.needs, "dev");
      assert.equal(deploy.jobs.prod.needs, "staging");
      assert.match(deploy.jobs.prod.if!, /needs\.staging\.result == 'success'/);
    });
  });

  describe("drift.yml", () => {
    const drift = load("drift.yml");

    it("runs `orderflow drift` per environment nightly and on demand", () => {
      const schedule = drift.on.schedule as { cron: string }[];
      assert.equal(schedule.length, 1);
      assert.match(schedule[0].cron, /^\S+ \S+ \* \* \*$/);
      assert.ok("workflow_dispatch" in drift.on);
      assert.deepEqual(drift.jobs.drift.strategy?.matrix?.env, [...ENVIRONMENTS]);
      const run = runs(drift).find((r) => r.includes("$ORDERFLOW drift"))!;
      assert.match(run, /\$ORDERFLOW drift --env \$\{\{ matrix\.env \}\}/);
      assert.match(run, /-eq 3/);
    });

    it("opens or updates one labelled issue per environment on exit 3, and closes it on exit 0", () => {
      assert.equal(drift.permissions?.issues, "write");
      const step = uses(drift, "actions/github-script")[0];
      assert.match(step.if!, /exit-code == '0'/);
      assert.match(step.if!, /exit-code == '3'/);
      const script = String(step.with?.script);
      for (const call of ["listForRepo", "issues.create(", "issues.update(", 'state: "closed"']) {
        assert.ok(script.includes(call), `drift script lacks ${call}`);
      }
      assert.match(script, /Drift detected in \$\{env\}/);
    });
  });
});
