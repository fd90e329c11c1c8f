import type { RecordedResource } from "../../../ops/engine/recording-monitor";
import { componentOf } from "../../graph/resources";

// What the local SES needs, read from a synthesized environment's resources (never typed twice): the SES identities
// and configuration sets the stacks manage.

const EMAIL_IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity";
const CONFIGURATION_SET = "aws:sesv2/configurationSet:ConfigurationSet";

/** An SES identity: a domain (every address @ it may send) or one address. */
export interface GraphEmailIdentity {
  /** The component that manages it (`customerEmail`). */
  readonly component: string;
  readonly identity: string;
  readonly type: "DOMAIN" | "EMAIL_ADDRESS";
  readonly arn: string;
  /** The identity's default configuration set, used when SendEmail names none. */
  readonly defaultConfigurationSet?: string;
}

export interface GraphConfigurationSet {
  readonly name: string;
  readonly arn: string;
  /** `sendingOptions.sendingEnabled`; SES's default is enabled. */
  readonly sendingEnabled: boolean;
}

/** The SES identities and configuration sets among the resources. */
export function emailSendingFromGraph(resources: readonly RecordedResource[]): { identities: GraphEmailIdentity[]; configurationSets: GraphConfigurationSet[] } {
  const component = componentOf(resources);
  const identities = resources
    .filter((r) => r.type === EMAIL_IDENTITY)
    .map((r) => {
      const identity = String(r.inputs.emailIdentity);
      const defaultConfigurationSet = typeof r.inputs.configurationSetName === "string" ? r.inputs.configurationSetName : undefined;
      return {
        component: component(r),
        identity,
        type: identity.includes("@") ? ("EMAIL_ADDRESS" as const) : ("DOMAIN" as const),
        arn: String(r.outputs.arn),
        ...(defaultConfigurationSet ? { defaultConfigurationSet } : {}),
      };
    });
  const configurationSets = resources
    .filter((r) => r.type === CONFIGURATION_SET)
    .map((r) => ({
      name: String(r.inputs.configurationSetName),
      arn: String(r.outputs.arn),
      sendingEnabled: (r.inputs.sendingOptions as { sendingEnabled?: unknown } | undefined)?.sendingEnabled !== false,
    }));
  return { identities, configurationSets };
}
