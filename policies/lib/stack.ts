import type { PolicyResource } from "@pulumi/policy";
import { at, isUnknown, knownString, plain } from "./values";

/** A resource as policies read it: its properties copied out of the runtime's proxy, unknowns marked `UNKNOWN`. */
export interface Subject {
  readonly urn: string;
  readonly name: string;
  readonly type: string;
  readonly props: unknown;
}

/** A resource of the whole stack, with the links the engine records between resources, as URNs. */
export interface StackSubject extends Subject {
  readonly parent?: string;
  readonly dependencies: readonly string[];
  /** For each top-level property, the resources its value was made from; known even when the value is not. */
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
}

/** The stack's resources, with the look-ups stack policies share. */
export class StackView {
  readonly resources: readonly StackSubject[];
  private readonly byUrn: ReadonlyMap<string, StackSubject>;

  constructor(resources: readonly PolicyResource[]) {
    this.resources = resources.map((r) => ({
      urn: r.urn,
      name: r.name,
      type: r.type,
      props: plain(r.props),
      parent: r.parent?.urn,
      dependencies: r.dependencies.map((d) => d.urn),
      propertyDependencies: Object.fromEntries(
        Object.entries(r.propertyDependencies).map(([k, deps]) => [k, deps.map((d) => d.urn)]),
      ),
    }));
    this.byUrn = new Map(this.resources.map((r) => [r.urn, r]));
  }

  get(urn: string): StackSubject | undefined {
    return this.byUrn.get(urn);
  }

  ofType(...types: string[]): StackSubject[] {
    return this.resources.filter((r) => types.includes(r.type));
  }

  /**
   * True when the value at `path` of `from` is made from `to`. The engine's property dependencies say so even at
   * preview, when the ARN itself is unknown; with resolved values, a value that names one of `to`'s identifiers
   * (ARN, name, URL), or a document that contains its ARN, says so too.
   */
  refersTo(from: StackSubject, path: readonly (string | number)[], to: StackSubject): boolean {
    if ((from.propertyDependencies[String(path[0])] ?? []).includes(to.urn)) return true;
    const value = at(from.props, ...path);
    const ids = identifiers(to);
    if (typeof value === "string") return ids.has(value) || [...ids].some((id) => id.startsWith("arn:") && value.includes(`"${id}"`));
    if (Array.isArray(value)) return value.some((v) => typeof v === "string" && ids.has(v));
    return false;
  }

  /** The resources of the given types that the value at `path` of `from` refers to. */
  referents(from: StackSubject, path: readonly (string | number)[], ...types: string[]): StackSubject[] {
    return this.ofType(...types).filter((to) => to !== from && this.refersTo(from, path, to));
  }

  /** The resources of the given types whose value at `path` refers to `to`. */
  referrers(to: StackSubject, path: readonly (string | number)[], ...types: string[]): StackSubject[] {
    return this.ofType(...types).filter((from) => from !== to && this.refersTo(from, path, to));
  }
}

/** The strings other resources use to name this one: its ARN, name and URL, once known. */
export function identifiers(resource: Subject): Set<string> {
  const ids = new Set<string>();
  for (const key of ["arn", "name", "url", "id"]) {
    const value = at(resource.props, key);
    if (!isUnknown(value) && knownString(value)) ids.add(value as string);
  }
  return ids;
}

/** How a resource is named in messages: its logical name and type. */
export function describe(resource: Subject): string {
  return `${resource.name} (${resource.type})`;
}
