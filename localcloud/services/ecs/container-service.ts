import { spawn, type ChildProcess } from "node:child_process";
import type { Activity } from "../../kernel/activity";
import { Clock } from "../../kernel/clock";
import type { FaultInjector } from "../../faults/fault-injector";
import type { ServiceFaults } from "../../faults/fault-plan";
import type { ContainerServiceSpec } from "./spec";
import type { LocalImage } from "./image";
import { serviceThrottleSeconds, throttleEventMessage } from "./service-throttle";

/**
 * How soon the scheduler replaces a task that stopped after it was RUNNING. ECS does it on its next pass (no throttle,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-throttle-logic.html); locally one second, real
 * time, so a program that exits at once is not restarted in a tight loop.
 */
const REPLACEMENT_DELAY_MS = 1000;

interface Task {
  readonly number: number;
  readonly child: ChildProcess;
  running: boolean;
  /** Why the task is being stopped, when something stopped it (a fault, the service stopping). */
  stoppedBy?: string;
}

/**
 * A Fargate service's tasks as local Node processes: `desiredCount` of them, each running the image's program with the
 * task definition's environment (the image's ENV under it) and the task role's credentials. The service keeps its
 * desired count as ECS's scheduler does: a task that stops is replaced; launches that keep failing before the task
 * runs are throttled (./service-throttle.ts). Stopping sends SIGTERM, as ECS does, and SIGKILL after the container's
 * stopTimeout.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
 */
export class LocalContainerService {
  /** The task in each of the desired slots (a slot is empty while its replacement waits). */
  private readonly slots = new Map<number, Task>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private faultTimers: NodeJS.Timeout[] = [];
  private launched = 0;
  private failuresInARow = 0;
  /** Launches the fault plan makes fail before the task runs. */
  private launchesToFail = 0;
  private stopping = false;
  /** Tasks that exited on their own (a crash), for reports. */
  crashes = 0;
  /** Tasks started in place of one that stopped. */
  replacements = 0;
  /** Launches that failed before the task was RUNNING. */
  failedLaunches = 0;

  constructor(
    readonly spec: ContainerServiceSpec,
    private readonly image: LocalImage,
    private readonly environment: Record<string, string>,
    private readonly activity: Activity,
    private readonly log: (line: string) => void,
    /** Scales the stop timeout and the launch throttle's waits (`--time-scale`). */
    private readonly clock: Clock = new Clock(1),
    private readonly faults?: FaultInjector,
  ) {}

  /** Tasks RUNNING now. */
  get running(): number {
    return [...this.slots.values()].filter((t) => t.running).length;
  }

  /** Tasks whose process is still running (what Ctrl-C's report counts). */
  get runningTasks(): number {
    return [...this.slots.values()].filter((t) => t.child.exitCode === null && t.child.signalCode === null).length;
  }

  start(): void {
    if (this.faults) {
      this.applyFaults(this.faults.serviceFaults(this.spec.component));
      this.faults.onChange(() => this.applyFaults(this.faults!.serviceFaults(this.spec.component)));
    }
    for (let slot = 0; slot < this.spec.desiredCount; slot++) this.launch(slot);
  }

  /**
   * Stops one running task as ECS's StopTask does (SIGTERM, then SIGKILL after the stop timeout) or as a host failure
   * does (SIGKILL); the scheduler then replaces it. Resolves false when no task was running.
   */
  stopTask(reason: string, signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): boolean {
    const task = [...this.slots.values()].find((t) => t.running && !t.stoppedBy);
    if (!task) return false;
    task.stoppedBy = reason;
    this.kill(task, signal, this.clock.ms(this.spec.container.stopTimeoutSeconds));
    return true;
  }

  /** SIGTERM to every task; SIGKILL to those still running after the stop timeout. Nothing is replaced any more. */
  async stop(stopTimeoutMs = this.spec.container.stopTimeoutSeconds * 1000): Promise<void> {
    this.stopping = true;
    for (const timer of [...this.timers, ...this.faultTimers]) clearTimeout(timer);
    await Promise.all(
      [...this.slots.values()].map(
        (task) =>
          new Promise<void>((resolve) => {
            const child = task.child;
            if (child.exitCode !== null || child.signalCode !== null || !task.running) return resolve();
            child.once("exit", () => resolve());
            task.stoppedBy ??= "the local cloud stopping";
            this.kill(task, "SIGTERM", stopTimeoutMs);
          }),
      ),
    );
  }

  /** Starts a task in a slot: RUNNING once its process is up, or failed before it (the throttle's concern). */
  private launch(slot: number): void {
    if (this.stopping) return;
    const number = ++this.launched;
    if (this.launchesToFail > 0) {
      this.launchesToFail--;
      this.faults?.count("failed-launch");
      return this.failedLaunch(slot, number, "CannotPullContainerError: the image could not be pulled (fault injected)");
    }
    const child = spawn(process.execPath, [this.image.program], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...this.image.environment, ...this.environment },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const task: Task = { number, child, running: false };
    this.slots.set(slot, task);
    this.pipeOutput(child, number);
    child.once("error", (error) => {
      // The process never started (the program or node is missing): PENDING to STOPPED.
      if (!task.running) {
        this.slots.delete(slot);
        this.failedLaunch(slot, number, `CannotStartContainerError: ${error.message}`);
      }
    });
    child.once("spawn", () => {
      task.running = true;
      this.failuresInARow = 0;
      this.activity.record({ service: "ecs", kind: "task-started", name: this.spec.component, detail: `task ${number} RUNNING (pid ${child.pid}); ${this.running} of ${this.spec.desiredCount} desired` });
    });
    child.on("exit", (code, signal) => {
      if (!task.running) return;
      task.running = false;
      if (this.stopping) return;
      this.slots.delete(slot);
      const how = signal ?? `exit ${code}`;
      if (task.stoppedBy) {
        this.activity.record({ service: "ecs", kind: "task-stopped", name: this.spec.component, detail: `task ${number} stopped (${task.stoppedBy}; ${how}); the scheduler starts a replacement`, error: true });
      } else {
        this.crashes++;
        this.activity.record({ service: "ecs", kind: "task-stopped", name: this.spec.component, detail: `task ${number} exited on its own (${how}); the scheduler starts a replacement`, error: true });
      }
      this.later(REPLACEMENT_DELAY_MS, () => {
        this.replacements++;
        this.launch(slot);
      });
    });
  }

  /** A launch that never reached RUNNING: the next one waits as ECS's service throttle says. */
  private failedLaunch(slot: number, number: number, reason: string): void {
    this.failedLaunches++;
    this.failuresInARow++;
    const wait = serviceThrottleSeconds(this.failuresInARow);
    this.activity.record({ service: "ecs", kind: "task-failed-to-start", name: this.spec.component, detail: `task ${number} stopped before RUNNING (${reason}); next launch in ${wait} s (scaled)`, error: true });
    const event = throttleEventMessage(this.spec.name, this.failuresInARow);
    if (event) this.activity.record({ service: "ecs", kind: "service-throttled", name: this.spec.component, detail: event, error: true });
    this.later(this.clock.ms(wait), () => {
      this.replacements++;
      this.launch(slot);
    });
  }

  /** The fault plan's stops (timers from now) and failing launches; a new plan replaces the old one's. */
  private applyFaults(faults: ServiceFaults | undefined): void {
    for (const timer of this.faultTimers) clearTimeout(timer);
    this.faultTimers = [];
    this.launchesToFail = faults?.failedLaunches ?? 0;
    const stop = faults?.stopTask;
    if (!stop || this.stopping) return;
    const fire = () => {
      const signal = stop.signal ?? "SIGTERM";
      if (this.stopTask(`${signal === "SIGTERM" ? "StopTask" : "killed"}: fault injected`, signal)) this.faults?.count("task-stopped");
      if (stop.everySeconds !== undefined) this.faultTimers.push(unref(setTimeout(fire, stop.everySeconds * 1000)));
    };
    this.faultTimers.push(unref(setTimeout(fire, stop.afterSeconds * 1000)));
  }

  private kill(task: Task, signal: "SIGTERM" | "SIGKILL", stopTimeoutMs: number): void {
    const child = task.child;
    if (signal === "SIGTERM") {
      const timer = setTimeout(() => child.kill("SIGKILL"), stopTimeoutMs);
      child.once("exit", () => clearTimeout(timer));
    }
    child.kill(signal);
  }

  private later(ms: number, run: () => void): void {
    const timer = unref(
      setTimeout(() => {
        this.timers.delete(timer);
        run();
      }, ms),
    );
    this.timers.add(timer);
  }

  private pipeOutput(child: ChildProcess, number: number): void {
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) {
          if (!line) continue;
          this.log(`[task ${number}] ${line}`);
          this.report(number, line);
        }
      });
    }
  }

  /**
   * A task's account of its work, from its structured log (a Powertools JSON line at INFO or above: a label printed, a
   * duplicate job, a job left for retry) as an activity line, so the worker's work shows beside the functions', not
   * only in its log file.
   */
  private report(number: number, line: string): void {
    if (!line.startsWith("{")) return;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const level = String(entry.level ?? "").toUpperCase();
    if (!["INFO", "WARN", "ERROR", "CRITICAL"].includes(level) || typeof entry.message !== "string") return;
    const about = ["orderId", "shipmentId", "labelId", "messageId"].filter((k) => typeof entry[k] === "string").map((k) => `${k} ${String(entry[k])}`);
    this.activity.record({
      service: "ecs",
      kind: "task-log",
      name: this.spec.component,
      detail: `task ${number}: ${entry.message}${about.length > 0 ? ` (${about.join(", ")})` : ""}`,
      error: level === "ERROR" || level === "CRITICAL",
    });
  }
}

function unref(timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref();
  return timer;
}
