import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineEvent, OpMap } from "@pulumi/pulumi/automation";
import { EC2Client } from "@aws-sdk/client-ec2";
import { LambdaClient } from "@aws-sdk/client-lambda";
import type { AccountCheck, Machine } from "../../ops/automation/preflight";
import { plainReporter } from "../../ops/automation/progress";
import { runOperation, type OperationOutcome, type OperationRequest } from "../../ops/automation/run-operation";
import type { OperableStack, StackDeployment, StackWorkspace } from "../../ops/automation/workspace";

/** A promise the test settles by hand, so "A overlapped B" is proven by order of events, not by timing. */
export interface Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One call the runner made on a fake stack. */
export interface FakeCall {
  readonly stack: string;
  readonly method: "up" | "preview" | "previewDestroy" | "destroy";
  readonly options: Record<string, unknown>;
}

/** How a fake stack answers; everything defaults to an immediate success with no changes. */
export interface FakeBehaviour {
  /** The operation waits for this before answering. */
  hold?: Promise<void>;
  /** The operation rejects with this. */
  error?: Error;
  /** Engine events passed to onEvent before the answer. */
  events?: EngineEvent[];
  changes?: OpMap;
  /** What `exportStack` returns: the stack's state. @default no resources */
  state?: StackDeployment;
  /** Only these methods behave as above (error, events, changes); the others succeed. @default all */
  only?: FakeCall["method"][];
}

/**
 * A StackWorkspace whose stacks record every call in `calls` and every start and end in `log` ("start dev.orders",
 * "end dev.orders"), and answer as `behave(stack, ...)` says.
 */
export class FakeWorkspace implements StackWorkspace {
  readonly calls: FakeCall[] = [];
  readonly log: string[] = [];
  readonly selected: { stackName: string; workDir: string }[] = [];
  private readonly behaviours = new Map<string, FakeBehaviour>();
  private readonly startWaiters = new Map<string, Deferred>();

  behave(stack: string, behaviour: FakeBehaviour): this {
    this.behaviours.set(stack, behaviour);
    return this;
  }

  /** Makes the stack's operation wait; resolve the returned deferred to let it finish. */
  hold(stack: string): Deferred {
    const gate = deferred();
    this.behaviours.set(stack, { ...this.behaviours.get(stack), hold: gate.promise });
    return gate;
  }

  /** Resolves once the stack's operation has started. */
  started(stack: string): Promise<void> {
    return this.waiter(stack).promise;
  }

  /** The stacks that started, in order. */
  get startOrder(): string[] {
    return this.log.filter((l) => l.startsWith("start ")).map((l) => l.slice("start ".length));
  }

  async createOrSelectStack(args: { stackName: string; workDir: string }): Promise<OperableStack> {
    this.selected.push(args);
    const run = async (method: FakeCall["method"], options: Record<string, unknown>) => {
      this.calls.push({ stack: args.stackName, method, options });
      this.log.push(`start ${args.stackName}`);
      this.waiter(args.stackName).resolve();
      const configured = this.behaviours.get(args.stackName) ?? {};
      const behaviour = configured.only && !configured.only.includes(method) ? { hold: configured.hold } : configured;
      const onEvent = options.onEvent as ((e: EngineEvent) => void) | undefined;
      for (const event of behaviour.events ?? []) onEvent?.(event);
      (options.onOutput as ((text: string) => void) | undefined)?.(`${method} ${args.stackName}\n`);
      await behaviour.hold;
      this.log.push(`end ${args.stackName}`);
      if (behaviour.error) throw behaviour.error;
      return behaviour.changes ?? { same: 3 };
    };
    return {
      name: args.stackName,
      up: async (options) => ({ summary: { resourceChanges: await run("up", { ...options }) } }),
      preview: async (options) => ({ changeSummary: await run("preview", { ...options }) }),
      previewDestroy: async (options) => ({ changeSummary: await run("previewDestroy", { ...options }) }),
      destroy: async (options) => ({ summary: { resourceChanges: await run("destroy", { ...options }) } }),
      exportStack: async () => ({ deployment: this.behaviours.get(args.stackName)?.state ?? { resources: [] } }),
    };
  }

  private waiter(stack: string): Deferred {
    let waiter = this.startWaiters.get(stack);
    if (!waiter) {
      waiter = deferred();
      this.startWaiters.set(stack, waiter);
    }
    return waiter;
  }
}

/** A machine with `pulumi` at /opt/pulumi/bin/pulumi and AWS credentials from AWS_PROFILE, unless `env`/`files` say otherwise. */
export function fakeMachine(options: { env?: NodeJS.ProcessEnv; files?: string[] } = {}): Machine {
  const files = new Set(options.files ?? ["/opt/pulumi/bin/pulumi"]);
  return {
    env: options.env ?? { PATH: "/usr/bin:/opt/pulumi/bin", AWS_PROFILE: "orderflow-dev", PULUMI_CONFIG_PASSPHRASE: "" },
    homedir: "/home/tester",
    platform: "linux",
    isFile: (file) => files.has(file),
  };
}

/**
 * The account check of a run whose stacks reserve nothing and need no default VPC, so it asks AWS nothing; tests of
 * the check itself (tests/ops/automation/account.test.ts) give their own.
 */
export function quietAccount(): AccountCheck {
  return {
    planned: async () => ({ reservations: [], defaultVpcUsers: [], reservationSettings: [] }),
    deployed: async () => [],
    lambda: new LambdaClient({ region: "us-east-1" }),
    ec2: new EC2Client({ region: "us-east-1" }),
  };
}

/** Engine event for a step on a resource, as the Pulumi CLI reports it during a preview. */
export function stepEvent(op: NonNullable<EngineEvent["resourcePreEvent"]>["metadata"]["op"], urn: string, diffs: string[] = []): EngineEvent {
  const type = urn.split("::")[2] ?? "unknown";
  return {
    sequence: 0,
    timestamp: 0,
    resourcePreEvent: { metadata: { op, urn, type, diffs, provider: "" }, planning: true },
  };
}

/** The URN of a resource in the orderflow project. */
export function urnOf(stack: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::orderflow::${type}::${name}`;
}

/** Lets every already-queued promise callback run, so "has not started" is checked after the runner had its chance. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A throw-away repo root holding only what a run reads: the policy pack's per-environment config. */
export function tempRepo(policyConfigs: Record<string, object> = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "orderflow-ops-"));
  fs.mkdirSync(path.join(root, "policies", "config"), { recursive: true });
  for (const [env, config] of Object.entries(policyConfigs)) {
    fs.writeFileSync(path.join(root, "policies", "config", `${env}.json`), JSON.stringify(config));
  }
  return root;
}

/** Runs an operation on the fake workspace with a quiet progress display; `text` is everything it printed. */
export async function runFake(
  workspace: FakeWorkspace,
  request: Partial<OperationRequest> & Pick<OperationRequest, "operation">,
  repoRoot: string = tempRepo(),
  accountCheck: AccountCheck = quietAccount(),
): Promise<OperationOutcome & { text: string; progress: string[] }> {
  const out: string[] = [];
  const progress: string[] = [];
  // up and destroy go ahead without asking, as the deploy workflow runs them (--yes); tests of the question say otherwise.
  const outcome = await runOperation(
    { env: "dev", parallel: 8, json: false, yes: true, ...request },
    { machine: fakeMachine(), workspace, reporter: plainReporter((l) => progress.push(l)), write: (t) => out.push(t), repoRoot, accountCheck },
  );
  return { ...outcome, text: out.join("\n"), progress };
}
