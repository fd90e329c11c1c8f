// `npm run bench [-- <section>...] [--record]`: the project's speed and size goals, measured, never asserted in tests.
// Sections: functions, preview, dynamodb, local, load (default: all). The preview's section ends with the guard: it
// exits 1, loudly, when the warm preview is more than 15 % slower than the figure recorded for this machine
// (bench/recorded-preview.json); `--record` records this run's figure instead.
import { execFileSync } from "node:child_process";
import { benchmarkDynamoDBLocal, formatDynamoDBLocalBenchmark } from "./dynamodb-local";
import { benchmarkHandlers, formatTable } from "./handlers";
import { benchmarkLocalCloud, formatLocalCloudBenchmark } from "./local-cloud";
import { benchmarkLocalLoad, formatLoadBenchmark } from "./local-load";
import { benchmarkOfflinePreview, formatPreviewBenchmark } from "./offline-preview";
import { formatVerdict, judge, machineKey, readRecords, record } from "./preview-guard";

const SECTIONS = ["functions", "preview", "dynamodb", "local", "load"] as const;
type Section = (typeof SECTIONS)[number];

async function main(argv: readonly string[]): Promise<number> {
  const recordPreview = argv.includes("--record");
  const named = argv.filter((a) => a !== "--record");
  const unknown = named.filter((a) => !(SECTIONS as readonly string[]).includes(a));
  if (unknown.length > 0) throw new Error(`Unknown bench section(s): ${unknown.join(", ")}; the sections are ${SECTIONS.join(", ")}`);
  const sections = new Set<Section>(named.length > 0 ? (named as Section[]) : SECTIONS);
  let exitCode = 0;

  if (sections.has("functions")) {
    console.log("## Functions of dev: deployed archive size and cold-start init (the time to load the handler)\n");
    console.log(formatTable(await benchmarkHandlers()));
  }
  if (sections.has("preview")) {
    console.log("\n## The main job: offline preview of dev\n");
    const preview = await benchmarkOfflinePreview("dev");
    console.log(formatPreviewBenchmark(preview));
    const measured = { cpuMs: Math.round(preview.medianCpuMs), wallMs: Math.round(preview.medianMs) };
    const machine = machineKey();
    if (recordPreview) {
      record(machine, { ...measured, recordedAt: new Date().toISOString().slice(0, 10), commit: currentCommit() });
      console.log(`\nGuard: recorded ${(measured.cpuMs / 1000).toFixed(2)} s CPU (${(measured.wallMs / 1000).toFixed(2)} s wall) for "${machine}" in bench/recorded-preview.json.`);
    } else {
      const verdict = judge(machine, measured.cpuMs, readRecords());
      console.log(`\n${formatVerdict(verdict, measured)}`);
      if (verdict.kind === "regressed") exitCode = 1;
    }
  }
  if (sections.has("dynamodb")) {
    console.log("\n## DynamoDB Local (the local cloud's and the tests' DynamoDB): JVM start and stop\n");
    console.log(formatDynamoDBLocalBenchmark(await benchmarkDynamoDBLocal()));
  }
  if (sections.has("local")) {
    console.log("\n## The local cloud: start-up, and one order through dev at the configured waits\n");
    console.log(formatLocalCloudBenchmark(await benchmarkLocalCloud()));
  }
  if (sections.has("load")) {
    console.log("\n## The local cloud under load: orders placed at once on dev, every effect counted\n");
    console.log(formatLoadBenchmark(await benchmarkLocalLoad()));
  }
  if (exitCode !== 0) console.error("\nnpm run bench failed: the warm offline preview regressed (see the guard above).");
  return exitCode;
}

function currentCommit(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
