import { spawn, type ChildProcess } from "node:child_process";
import type { Activity } from "../../kernel/activity";
import type { ContainerServiceSpec } from "./spec";
import type { LocalImage } from "./image";

/**
 * A Fargate service's tasks as local Node processes: `desiredCount` of them, each running the image's program with the
 * task definition's environment (the image's ENV under it) and the task role's credentials. Stopping sends SIGTERM, as
 * ECS does, and SIGKILL after the container's stopTimeout.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
 */
export class LocalContainerService {
  private readonly tasks: ChildProcess[] = [];
  /** Tasks that exited on their own (a crash), for reports. */
  crashes = 0;
  private stopping = false;

  constructor(
    readonly spec: ContainerServiceSpec,
    private readonly image: LocalImage,
    private readonly environment: Record<string, string>,
    private readonly activity: Activity,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    for (let i = 0; i < this.spec.desiredCount; i++) this.startTask(i);
  }

  private startTask(index: number): void {
    const child = spawn(process.execPath, [this.image.program], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...this.image.environment, ...this.environment },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.tasks.push(child);
    const prefix = `[task ${index + 1}] `;
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) {
          if (!line) continue;
          this.log(prefix + line);
          this.report(index, line);
        }
      });
    }
    this.activity.record({ service: "ecs", kind: "task-started", name: this.spec.component, detail: `task ${index + 1} of ${this.spec.desiredCount} running (pid ${child.pid})` });
    child.on("exit", (code, signal) => {
      if (this.stopping) return;
      this.crashes++;
      this.activity.record({ service: "ecs", kind: "task-stopped", name: this.spec.component, detail: `task ${index + 1} exited on its own (${signal ?? `exit ${code}`}); ECS would start a replacement`, error: true });
    });
  }

  /** Tasks whose process is still running. */
  get runningTasks(): number {
    return this.tasks.filter((t) => t.exitCode === null && t.signalCode === null).length;
  }

  /**
   * A task's account of its work, from its structured log (a Powertools JSON line at INFO or above: a label printed, a
   * duplicate job, a job left for retry) as an activity line, so the worker's work shows beside the functions', not
   * only in its log file.
   */
  private report(index: number, line: string): void {
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
      detail: `task ${index + 1}: ${entry.message}${about.length > 0 ? ` (${about.join(", ")})` : ""}`,
      error: level === "ERROR" || level === "CRITICAL",
    });
  }

  /** SIGTERM to every task; SIGKILL to those still running after the stop timeout. */
  async stop(stopTimeoutMs = this.spec.container.stopTimeoutSeconds * 1000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.tasks.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill("SIGKILL"), stopTimeoutMs);
            child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
  }
}
