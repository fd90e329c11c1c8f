import type {
  EnforcementLevel,
  Policy,
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  StackValidation,
  StackValidationArgs,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { exemptionMatches, exemptionsSchema, readExemptions, type ConfiguredExemption } from "./exemptions";
import { describe, StackView, type Subject } from "./stack";
import { plain } from "./values";

/** What a check reports. Every message names the resource, the finding and the fix. */
export interface Findings {
  /**
   * A violation at the policy's enforcement level, unless an exemption in config names the resource: then it is
   * reported as an advisory "exempted" finding, so an accepted risk stays visible.
   * @param finding what is wrong, as a clause ("has no redrive policy")
   * @param fix which component option or grant resolves it ("use Queue's default dead-letter queue, or pass `deadLetter`")
   */
  violation(resource: Subject, finding: string, fix: string): void;
  /** An advisory: the property that decides the check is not known yet (a first preview). */
  unknown(resource: Subject, what: string): void;
  /** An advisory: the resource carries a documented opt-out (a tag with a reason), reported like an exemption. */
  optOut(resource: Subject, finding: string, reason: string): void;
}

type Config = Record<string, unknown>;

/** A policy as orderflow writes it; `definePolicy` turns it into a CrossGuard policy. */
export interface PolicyDefinition {
  readonly name: string;
  readonly description: string;
  /** The level when config sets none. The tracing, dead-letter and least-privilege pillars use "mandatory". */
  readonly enforcementLevel: EnforcementLevel;
  /**
   * The types the policy looks at: other resources are not applicable, and an exemption that names none in any stack
   * of the environment is stale.
   */
  readonly resourceTypes: readonly string[];
  /** Config properties besides `exemptions`, as JSON schema. */
  readonly config?: Readonly<Record<string, PolicyConfigJSONSchema>>;
  /** Checks one resource (of `resourceTypes`) from its inputs, before it is created or updated. */
  readonly validateResource?: (resource: Subject, report: Findings, config: Config) => void | Promise<void>;
  /** Checks the relations between the stack's resources, from their outputs. */
  readonly validateStack?: (stack: StackView, report: Findings, config: Config) => void | Promise<void>;
}

/** A CrossGuard policy that may have both a resource check and a stack check (the runtime runs each in its RPC). */
export interface OrderflowPolicy extends Policy {
  readonly validateResource?: ResourceValidation;
  readonly validateStack: StackValidation;
  readonly resourceTypes: readonly string[];
}

// The runtime accepts an object as well as a string (server.js, makeReportViolationFun); the object form is how a
// mandatory policy reports an advisory finding. @pulumi/policy 1.21's typings only declare the string form.
interface ViolationObject {
  readonly message: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly urn?: string;
}
function reportAdvisory(reportViolation: ReportViolation, message: string, urn: string | undefined): void {
  (reportViolation as unknown as (v: ViolationObject) => void)({ message, enforcementLevel: "advisory", ...(urn ? { urn } : {}) });
}

/**
 * Builds the CrossGuard policy: config schema with `exemptions`, a resource check that reads its properties through
 * `plain` (so unknowns never throw), and a stack check that runs the definition's stack check, then reports
 * exemptions that are malformed.
 */
export function definePolicy(def: PolicyDefinition): OrderflowPolicy {
  const configSchema: PolicyConfigSchema = { properties: { exemptions: exemptionsSchema(def.name), ...def.config } };

  const validateStack: StackValidation = async (args: StackValidationArgs, reportViolation: ReportViolation) => {
    const config = args.getConfig<Config>();
    const exemptions = readExemptions(def.name, config);
    const stack = new StackView(args.resources);
    if (def.validateStack) {
      await def.validateStack(stack, findings(def.name, exemptions, reportViolation, true), config);
    }
    // An exemption that matches nothing in this stack may serve another stack of the environment (the config is per
    // environment), so only `orderflow preview` / `up`, which see every stack, call one stale (./stale-exemptions.ts).
    for (const e of exemptions) {
      if (e.problem) {
        reportViolation(
          `policy config: the ${def.name} exemption for "${e.resource}" is ignored because ${e.problem}. ` +
            `Fix: give it a \`resource\` and a \`reason\` of at least 10 characters in the --policy-pack-config file.`,
        );
      }
    }
  };

  let validateResource: ResourceValidation | undefined;
  if (def.validateResource) {
    const check = def.validateResource;
    validateResource = async (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      if (!def.resourceTypes.includes(args.type)) {
        args.notApplicable(`Policy only applies to resources of type ${def.resourceTypes.map((t) => `'${t}'`).join(", ")}`);
      }
      const config = args.getConfig<Config>();
      const subject: Subject = { urn: args.urn, name: args.name, type: args.type, props: plain(args.props) };
      await check(subject, findings(def.name, readExemptions(def.name, config), reportViolation, false), config);
    };
    // With a single type, the runtime skips other types without calling us (its `__pulumiType` fast path).
    if (def.resourceTypes.length === 1) {
      (validateResource as { __pulumiType?: string }).__pulumiType = def.resourceTypes[0];
    }
  }

  return {
    name: def.name,
    description: def.description,
    enforcementLevel: def.enforcementLevel,
    configSchema,
    resourceTypes: def.resourceTypes,
    ...(validateResource ? { validateResource } : {}),
    validateStack,
  };
}

function findings(
  policy: string,
  exemptions: readonly ConfiguredExemption[],
  reportViolation: ReportViolation,
  stackPhase: boolean,
): Findings {
  // Resource checks report on the resource under analysis; stack checks must name the resource by URN.
  const urnOf = (r: Subject) => (stackPhase ? r.urn : undefined);
  return {
    violation(resource, finding, fix) {
      const label = describe(resource);
      const exemption = exemptions.find((e) => !e.problem && exemptionMatches(e, resource));
      if (exemption) {
        reportAdvisory(reportViolation, `${label}: exempted from ${policy} (reason: "${exemption.reason}"): ${finding}.`, urnOf(resource));
        return;
      }
      const rejected = exemptions.find((e) => e.problem && exemptionMatches(e, resource));
      const note = rejected ? ` (An exemption names this resource but is ignored because ${rejected.problem}.)` : "";
      reportViolation(`${label}: ${finding}. Fix: ${fix}.${note}`, urnOf(resource));
    },
    unknown(resource, what) {
      reportAdvisory(
        reportViolation,
        `${describe(resource)}: ${what} cannot be checked until the value is known; ` +
          `the offline preview checks it again with resolved values.`,
        urnOf(resource),
      );
    },
    optOut(resource, finding, reason) {
      reportAdvisory(reportViolation, `${describe(resource)}: opted out (reason: "${reason}"): ${finding}.`, urnOf(resource));
    },
  };
}
