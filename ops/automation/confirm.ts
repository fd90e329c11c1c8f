import { createInterface } from "node:readline/promises";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { printable, propertyLines } from "../offline/property-values";
import type { StackResult } from "./stack-result";

/** Asks one question on the terminal and resolves to the answer as typed. */
export type Ask = (question: string) => Promise<string>;

/** The answers `pulumi up` offers before changing anything (pkg/backend/apply.go, confirmBeforeUpdating). */
export type Answer = "yes" | "no" | "details";

/** The terminal's question, through readline on stdin/stdout. */
export const terminalAsk: Ask = async (question) => {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
};

/**
 * Asks until the answer is one of yes, no or details (or their first letter); `no` is the default, as in the CLI, so
 * an empty answer or the end of input declines.
 */
export async function askYesNoDetails(ask: Ask, kind: "update" | "destroy", write: (text: string) => void): Promise<Answer> {
  for (;;) {
    let typed: string;
    try {
      typed = (await ask(`Do you want to perform this ${kind}? yes / no / details [no]: `)).trim().toLowerCase();
    } catch {
      return "no";
    }
    if (typed === "" || typed === "n" || typed === "no") return "no";
    if (typed === "y" || typed === "yes") return "yes";
    if (typed === "d" || typed === "details") return "details";
    write(`Please answer yes, no or details (got "${typed}").`);
  }
}

/**
 * What `details` shows: every step of every stack's plan with the properties it sets, as the CLI's detailed diff
 * (pkg/backend/display/diff.go) prints a step: `<op> <type>: (<op>)`, the URN, then the new inputs.
 */
export async function planDetails(results: readonly StackResult[]): Promise<string> {
  const out: string[] = [];
  for (const result of results) {
    out.push(`${result.stack}:`);
    const steps = (result.events ?? []).flatMap((e: EngineEvent) => (e.resourcePreEvent ? [e.resourcePreEvent.metadata] : []));
    const changing = steps.filter((m) => m.op !== "same" && m.op !== "read");
    if (changing.length === 0) out.push("    no changes");
    for (const m of changing) {
      out.push(`    ${OP_PREFIX[m.op] ?? "~"} ${m.type}: (${m.op})`, `        [urn=${m.urn}]`);
      if (m.diffs && m.diffs.length > 0) out.push(`        changed: ${m.diffs.join(", ")}`);
      const inputs = m.op === "delete" ? undefined : m.new?.inputs;
      if (inputs) out.push(...propertyLines((await printable(inputs)) as Record<string, unknown>, 2, { json: true }));
    }
  }
  return out.join("\n");
}

// pkg/resource/deploy/step.go, RawPrefix.
const OP_PREFIX: Partial<Record<string, string>> = {
  create: "+",
  update: "~",
  delete: "-",
  replace: "+-",
  "create-replacement": "++",
  "delete-replaced": "--",
  import: "=",
};
