import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * The order paths whose cost is measured: each scenario places orders that end one way (confirmed and shipped;
 * cancelled for want of stock; cancelled by a declined payment).
 */
export const MEASURED_PATHS = [
  { scenario: "happy-path", path: "confirmed, shipped, labelled, emailed and texted" },
  { scenario: "out-of-stock", path: "cancelled: out of stock" },
  { scenario: "payment-declined", path: "cancelled: payment declined, stock released" },
] as const;

const usageSchema = z.record(z.string(), z.number().nonnegative());

const measurementsSchema = z.strictObject({
  env: z.string(),
  measuredAt: z.string(),
  timeScale: z.number().positive(),
  paths: z.array(
    z.strictObject({
      scenario: z.string(),
      path: z.string(),
      orders: z.number().int().positive(),
      /** The window's usage in billing units (localcloud/kernel/usage.ts), for all its orders. */
      usage: usageSchema,
    }),
  ),
});

export type Measurements = z.infer<typeof measurementsSchema>;

/** Where a local run keeps the usage it measured. */
export function measurementsFile(root: string, env: string): string {
  return path.join(root, ".orderflow", "local", env, "usage.json");
}

/** The last measurements of an environment, or undefined when there are none. */
export function readMeasurements(file: string): Measurements | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = measurementsSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file} is not a usage measurement (${parsed.error.issues[0]?.message}); measure again with \`orderflow cost --env <env> --measure\`.`);
  return parsed.data;
}

export function writeMeasurements(file: string, measurements: Measurements): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(measurements, null, 2)}\n`);
  renameSync(temporary, file);
}
