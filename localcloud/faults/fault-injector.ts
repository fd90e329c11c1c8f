import { FaultDice } from "./fault-dice";
import { checkFaultTargets, type FaultPlan, type FaultTargets, type FunctionFaults, type ServiceFaults } from "./fault-plan";

/** What happens to one invocation, drawn from the plan: nothing (undefined), or these faults. */
export interface InvocationFault {
  /** Lambda answers 429 TooManyRequestsException; the function does not run. */
  readonly throttle?: boolean;
  /** The invocation waits this long (real milliseconds) before the handler runs, against the function's timeout. */
  readonly startupDelayMs?: number;
  /** The invocation fails with an injected error: before the handler runs (`preventExecution`), or after it. */
  readonly error?: { readonly preventExecution: boolean };
  /** The invocation answers this API Gateway proxy response: before the handler runs, or after it. */
  readonly httpResponse?: { readonly statusCode: number; readonly contentType: string; readonly preventExecution: boolean };
  /** The execution environment's process dies this many milliseconds into the invocation, before it answers. */
  readonly crashAfterMs?: number;
}

/** The kinds of fault, as counted and named in the activity. */
export type FaultKind =
  | "invocation-error"
  | "invocation-add-delay"
  | "invocation-http-integration-response"
  | "environment-crash"
  | "throttle"
  | "duplicate-delivery"
  | "ses-throttle"
  | "sms-throttle"
  | "task-stopped"
  | "failed-launch";

/** Which calls a plan applies to: a scenario limits its faults to its own orders; a fault file applies to all. */
export type FaultScope = (payload: unknown) => boolean;

/** How long into an invocation a crash may come: the process often dies before the handler's writes, and sometimes after. */
const CRASH_WITHIN_MS = 1000;

/**
 * The local cloud's fault injection: holds the plan in force (from `--faults`, or set by a scenario), draws each fault
 * with reproducible dice, and counts what it injected. The services ask it at the point where AWS would fail: Lambda
 * per invocation, SQS per message sent, SES and SMS per send; ECS services are told their plan when it changes.
 */
export class FaultInjector {
  private plan: FaultPlan = {};
  private scope: FaultScope = () => true;
  private dice = new FaultDice();
  private readonly listeners = new Set<() => void>();
  /** Faults injected so far, by kind. */
  readonly injected = new Map<FaultKind, number>();

  /** `targets`: the environment's names, which every plan put in force is checked against. */
  constructor(private readonly targets?: FaultTargets) {}

  /** The seed of the plan in force (printed, so a run can be repeated with it). */
  get seed(): number {
    return this.dice.seed;
  }

  /** Whether a plan is in force. */
  get active(): boolean {
    return Object.keys(this.plan).some((k) => k !== "seed");
  }

  /** Puts a plan in force (replacing the previous one); its seed, or the given one, or a random one. */
  use(plan: FaultPlan, options: { scope?: FaultScope; seed?: number } = {}): void {
    if (this.targets) checkFaultTargets(plan, this.targets);
    this.plan = plan;
    this.scope = options.scope ?? (() => true);
    this.dice = new FaultDice(options.seed ?? plan.seed);
    for (const listener of this.listeners) listener();
  }

  /** Ends fault injection: no plan in force. */
  clear(): void {
    this.use({});
  }

  /** Calls `listener` whenever the plan changes (ECS services reschedule their stops). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Counts one injected fault. */
  count(kind: FaultKind): void {
    this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
  }

  /** The faults of one invocation of a function (by component name), or undefined for none. */
  forInvocation(component: string, event: unknown): InvocationFault | undefined {
    const faults = this.functionFaults(component);
    if (!faults || !this.scope(event)) return undefined;
    const stream = (action: string) => `function/${component}/${action}`;
    // A throttled invocation never reaches an environment: nothing else can happen to it.
    if (this.dice.chance(stream("throttle"), faults.throttle?.invocationPercentage)) return { throttle: true };
    const fault: { -readonly [K in keyof InvocationFault]: InvocationFault[K] } = {};
    if (faults.invocationAddDelay && this.dice.chance(stream("invocationAddDelay"), faults.invocationAddDelay.invocationPercentage)) {
      fault.startupDelayMs = faults.invocationAddDelay.startupDelayMilliseconds;
    }
    if (faults.environmentCrash && this.dice.chance(stream("environmentCrash"), faults.environmentCrash.invocationPercentage)) {
      fault.crashAfterMs = this.dice.between(stream("crashAfter"), 0, CRASH_WITHIN_MS);
    } else if (faults.invocationError && this.dice.chance(stream("invocationError"), faults.invocationError.invocationPercentage)) {
      fault.error = { preventExecution: faults.invocationError.preventExecution ?? true };
    } else if (faults.invocationHttpIntegrationResponse && this.dice.chance(stream("invocationHttpIntegrationResponse"), faults.invocationHttpIntegrationResponse.invocationPercentage)) {
      const h = faults.invocationHttpIntegrationResponse;
      fault.httpResponse = { statusCode: h.statusCode, contentType: h.contentTypeHeader ?? "application/json", preventExecution: h.preventExecution ?? true };
    }
    return Object.keys(fault).length > 0 ? fault : undefined;
  }

  /** Whether SQS stores this message twice (a duplicate delivery), by queue component name. */
  duplicates(queue: string, body: string): boolean {
    const percentage = (this.plan.queues?.[queue] ?? this.plan.queues?.["*"])?.duplicateDelivery?.percentage;
    return percentage !== undefined && this.scope(body) && this.dice.chance(`queue/${queue}/duplicateDelivery`, percentage);
  }

  /** Whether SES or End User Messaging SMS answers this send with its throttling error. */
  throttlesSending(service: "ses" | "sms", request: unknown): boolean {
    const percentage = this.plan[service]?.throttle?.percentage;
    return percentage !== undefined && this.scope(request) && this.dice.chance(`${service}/throttle`, percentage);
  }

  /** An ECS service's faults in the plan, by component name. */
  serviceFaults(component: string): ServiceFaults | undefined {
    return this.plan.services?.[component];
  }

  private functionFaults(component: string): FunctionFaults | undefined {
    return this.plan.functions?.[component] ?? this.plan.functions?.["*"];
  }
}
