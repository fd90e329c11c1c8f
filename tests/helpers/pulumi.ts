import * as pulumi from "@pulumi/pulumi";
import { runProgram, type ProgramRun, type ProgramRunOptions, type RecordedResource } from "../../ops/engine/run-program";

export type { RecordedResource } from "../../ops/engine/run-program";

/** A program run under mocks, with the look-ups tests need. */
export class MockedRun {
  constructor(readonly run: ProgramRun) {}

  get outputs(): Record<string, unknown> {
    return this.run.outputs;
  }

  get resources(): readonly RecordedResource[] {
    return this.run.resources;
  }

  /** Every resource of a type token, e.g. `aws:sqs/queue:Queue`. */
  ofType(type: string): RecordedResource[] {
    return this.run.resources.filter((r) => r.type === type);
  }

  /** The one resource of a type (optionally with a logical name); fails listing what there is otherwise. */
  one(type: string, name?: string): RecordedResource {
    const matches = this.ofType(type).filter((r) => name === undefined || r.name === name);
    if (matches.length !== 1) {
      const names = this.ofType(type).map((r) => r.name);
      throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${matches.length}: [${names.join(", ")}]`);
    }
    return matches[0];
  }

  /** The resource with a logical name, whatever its type. */
  named(name: string): RecordedResource {
    const matches = this.run.resources.filter((r) => r.name === name);
    if (matches.length !== 1) {
      throw new Error(`expected exactly one resource named ${name}, found ${matches.length}`);
    }
    return matches[0];
  }

  /** The children of a resource (by URN), direct only. */
  childrenOf(urn: string): RecordedResource[] {
    return this.run.resources.filter((r) => r.parent === urn);
  }

  /** Every IAM statement attached to a role (inline role policies), parsed. */
  statementsOf(roleName: string): IamStatement[] {
    return this.ofType("aws:iam/rolePolicy:RolePolicy")
      .filter((p) => p.inputs.role === roleName)
      .flatMap((p) => parsePolicy(p.inputs.policy).Statement);
  }
}

export interface IamStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface IamPolicy {
  Version: string;
  Statement: IamStatement[];
}

/** A policy document as AWS receives it: a JSON string (or an object), parsed. */
export function parsePolicy(doc: unknown): IamPolicy {
  const parsed = (typeof doc === "string" ? JSON.parse(doc) : doc) as IamPolicy;
  return { ...parsed, Statement: Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement] };
}

/** A string-or-list IAM field, as a sorted list. */
export function list(value: string | string[] | undefined): string[] {
  return (value === undefined ? [] : Array.isArray(value) ? value : [value]).slice().sort();
}

export type MockOptions = Partial<ProgramRunOptions>;

/** Runs a program under Pulumi mocks (project `orderflow`, stack `test` unless told otherwise). */
export async function mockRun(program: () => unknown, options: MockOptions = {}): Promise<MockedRun> {
  return new MockedRun(await runProgram(program, { project: "orderflow", stack: "test", ...options }));
}

/** The value of an Output, once known (fails on one that stays unknown). */
export function valueOf<T>(output: pulumi.Output<T> | pulumi.Input<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    pulumi.output(output).apply((v) => {
      resolve(v as T);
      return v;
    });
    setTimeout(() => reject(new Error("output never resolved (unknown value?)")), 5000).unref();
  });
}
