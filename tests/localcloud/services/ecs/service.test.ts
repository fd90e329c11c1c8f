import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FaultInjector } from "../../../../localcloud/faults/fault-injector";
import type { ContainerServiceSpec } from "../../../../localcloud/services/ecs/spec";
import { Activity, type ActivityRecord } from "../../../../localcloud/kernel/activity";
import { Clock } from "../../../../localcloud/kernel/clock";
import { LocalContainerService } from "../../../../localcloud/services/ecs/container-service";
import { SERVICE_THROTTLE_MAX_SECONDS, serviceThrottleSeconds } from "../../../../localcloud/services/ecs/service-throttle";

/** A container program that runs until it is stopped, and says when it started (after its SIGTERM handler is in place). */
function program(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "orderflow-ecs-"));
  const file = path.join(dir, "worker.js");
  writeFileSync(file, `process.on("SIGTERM", () => process.exit(0)); setInterval(() => undefined, 1000); console.log("worker up " + process.pid);`);
  return file;
}

const SPEC: ContainerServiceSpec = {
  stack: "dev.shipping",
  component: "labelWorker",
  urn: "urn:labelWorker",
  name: "labelWorkerService-1234567",
  cluster: "shipping",
  desiredCount: 1,
  taskRoleArn: "arn:aws:iam::123456789012:role/labelWorkerTaskRole",
  container: { name: "worker", environment: {}, stopTimeoutSeconds: 2 },
};

function service(options: { faults?: FaultInjector; scale?: number } = {}) {
  const activity = new Activity();
  const lines: string[] = [];
  const svc = new LocalContainerService(SPEC, { environment: {}, program: program() }, {}, activity, (line) => lines.push(line), new Clock(options.scale ?? 1), options.faults);
  return { svc, activity, lines };
}

async function until<T>(what: string, probe: () => T | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const kinds = (records: readonly ActivityRecord[]) => records.filter((r) => r.service === "ecs").map((r) => r.kind);

describe("local cloud: an ECS service keeps its desired count", function () {
  this.timeout(30_000);

  it("replaces a task that exits on its own, and says so in the activity", async () => {
    const { svc, activity } = service();
    svc.start();
    try {
      const pid = Number((await until("the first task", () => activity.records.find((r) => r.kind === "task-started"))).detail.match(/pid (\d+)/)![1]);
      process.kill(pid, "SIGKILL");
      await until("a replacement", () => activity.records.filter((r) => r.kind === "task-started").length === 2);
      assert.deepEqual(kinds(activity.records), ["task-started", "task-stopped", "task-started"]);
      assert.match(activity.records.find((r) => r.kind === "task-stopped")!.detail, /^task 1 exited on its own \(SIGKILL\); the scheduler starts a replacement$/);
      assert.match(activity.records.filter((r) => r.kind === "task-started")[1].detail, /^task 2 RUNNING \(pid \d+\); 1 of 1 desired$/);
      assert.equal(svc.running, 1);
      assert.equal(svc.crashes, 1);
      assert.equal(svc.replacements, 1);
    } finally {
      await svc.stop();
    }
  });

  it("stops a task as the fault plan says (StopTask: SIGTERM) and replaces it; nothing is replaced once the service stops", async () => {
    const faults = new FaultInjector();
    const { svc, activity, lines } = service({ faults });
    svc.start();
    try {
      await until("the first task's program", () => lines.some((l) => l.startsWith("[task 1] worker up")));
      faults.use({ services: { labelWorker: { stopTask: { afterSeconds: 0 } } } });
      await until("the replacement", () => activity.records.filter((r) => r.kind === "task-started").length === 2);
      assert.match(activity.records.find((r) => r.kind === "task-stopped")!.detail, /^task 1 stopped \(StopTask: fault injected; exit 0\); the scheduler starts a replacement$/);
      assert.equal(faults.injected.get("task-stopped"), 1);
      assert.equal(svc.crashes, 0, "a stopped task is not a crash");
    } finally {
      await svc.stop();
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(activity.records.filter((r) => r.kind === "task-started").length, 2, "no task is started after stop()");
  });

  it("throttles launches that keep failing before the task runs (ECS's service throttle logic), then runs one", async () => {
    const faults = new FaultInjector();
    faults.use({ services: { labelWorker: { failedLaunches: 3 } } });
    // At a scale of 0.001, the throttle's 10, 20 and 40 s are 10, 20 and 40 ms.
    const { svc, activity } = service({ faults, scale: 0.001 });
    svc.start();
    try {
      await until("a task that runs", () => svc.running === 1);
      const failed = activity.records.filter((r) => r.kind === "task-failed-to-start").map((r) => r.detail);
      assert.deepEqual(failed, [
        "task 1 stopped before RUNNING (CannotPullContainerError: the image could not be pulled (fault injected)); next launch in 10 s (scaled)",
        "task 2 stopped before RUNNING (CannotPullContainerError: the image could not be pulled (fault injected)); next launch in 20 s (scaled)",
        "task 3 stopped before RUNNING (CannotPullContainerError: the image could not be pulled (fault injected)); next launch in 40 s (scaled)",
      ]);
      const throttled = activity.records.filter((r) => r.kind === "service-throttled").map((r) => r.detail);
      assert.deepEqual(throttled, Array(2).fill("(service labelWorkerService-1234567) is unable to consistently start tasks successfully."));
      assert.match(activity.records.filter((r) => r.kind === "task-started")[0].detail, /^task 4 RUNNING/);
      assert.equal(svc.failedLaunches, 3);
      assert.equal(faults.injected.get("failed-launch"), 3);
    } finally {
      await svc.stop();
    }
  });

  it("the throttle's wait grows with each failed launch in a row, up to the documented 27 minutes", () => {
    assert.deepEqual([0, 1, 2, 3, 8].map(serviceThrottleSeconds), [0, 10, 20, 40, 1280]);
    assert.equal(serviceThrottleSeconds(9), SERVICE_THROTTLE_MAX_SECONDS);
    assert.equal(serviceThrottleSeconds(1000), 27 * 60);
  });
});
