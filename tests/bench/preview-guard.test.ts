import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { childrenCpuMs } from "../../bench/offline-preview";
import { formatVerdict, judge, machineKey, readRecords, record, REGRESSION_TOLERANCE } from "../../bench/preview-guard";

describe("bench/preview-guard", () => {
  const machine = "Test CPU x2, Node 24";
  const records = { [machine]: { cpuMs: 4000, wallMs: 3000, recordedAt: "2026-12-07" } };

  it("fails a warm preview more than 15 % slower than this machine's recorded figure, loudly", () => {
    const verdict = judge(machine, 4000 * (1 + REGRESSION_TOLERANCE) + 1, records);
    assert.equal(verdict.kind, "regressed");
    const line = formatVerdict(verdict, { cpuMs: 4601, wallMs: 3500 });
    assert.match(line, /REGRESSION/);
    assert.match(line, /115 %/);
  });

  it("passes one at most 15 % slower, and one faster", () => {
    assert.equal(judge(machine, 4600, records).kind, "within");
    assert.equal(judge(machine, 2000, records).kind, "within");
  });

  it("compares nothing for a machine without a figure, and says how to record one", () => {
    const verdict = judge("Another CPU x8, Node 24", 90_000, records);
    assert.equal(verdict.kind, "unrecorded");
    assert.match(formatVerdict(verdict, { cpuMs: 90_000, wallMs: 60_000 }), /--record/);
  });

  it("refuses a measurement that is not a positive number", () => {
    assert.throws(() => judge(machine, Number.NaN, records), /positive number/);
    assert.throws(() => judge(machine, 0, records), /positive number/);
  });

  it("records a machine's figure beside the others' and reads it back", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "orderflow-guard-")), "recorded.json");
    record(machine, records[machine], file);
    record("Other x4, Node 22", { cpuMs: 1, wallMs: 1, recordedAt: "2026-12-01" }, file);
    record(machine, { cpuMs: 5000, wallMs: 4000, recordedAt: "2026-12-08" }, file);
    assert.deepEqual(Object.keys(readRecords(file)).sort(), ["Other x4, Node 22", machine].sort());
    assert.equal(readRecords(file)[machine].cpuMs, 5000);
  });

  it("names the machine by CPU model, core count and Node line", () => {
    assert.match(machineKey(), new RegExp(` x${os.cpus().length}, Node ${process.versions.node.split(".")[0]}$`));
  });

  it("reads the children's CPU time from bash's `times`", () => {
    assert.equal(childrenCpuMs("0m0.010s 0m0.002s\n1m6.120s 0m0.712s\n"), 66_120 + 712);
    assert.throws(() => childrenCpuMs("nonsense"), /Could not read the CPU time/);
  });

  it("keeps valid figures in bench/recorded-preview.json", () => {
    const recorded = readRecords();
    for (const [key, figure] of Object.entries(recorded)) {
      assert.ok(figure.cpuMs > 0 && figure.wallMs > 0 && /^\d{4}-\d{2}-\d{2}$/.test(figure.recordedAt), key);
    }
  });
});
