import type { RecordedResource } from "../../../ops/engine/recording-monitor";
import { componentOf } from "../../graph/resources";

// What the local End User Messaging SMS needs, read from a synthesized environment's resources (never typed twice):
// the origination identities texts may leave from.

const PHONE_NUMBER = "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber";
const ORIGINATION_IDENTITY_ARN = /^arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(phone-number|pool|sender-id)\/(\S+)$/;

/** An origination identity texts may be sent from. */
export interface GraphOriginationIdentity {
  readonly component: string;
  readonly arn: string;
  /** The ids SendTextMessage accepts for it: the ARN, the resource id, and a phone number's E.164 number. */
  readonly names: readonly string[];
  /** A SIMULATOR phone number: it reaches only the simulator destination numbers of its own country. */
  readonly simulator: boolean;
  /** ISO country of a phone number (`US`), when the graph says. */
  readonly isoCountryCode?: string;
  /** The opt-out list it checks; AWS's default list is `Default`. */
  readonly optOutListName: string;
  /** With self-managed opt-outs AWS leaves STOP handling to the sender and does not refuse opted-out numbers. */
  readonly selfManagedOptOuts: boolean;
}

/**
 * The origination identities among the resources: the phone numbers the stacks request, and every identity a role is
 * granted `sms-voice:SendTextMessage` on (a registered number, pool or sender ID named by ARN in the settings, which
 * the stacks do not create: the grant is where the graph holds it).
 */
export function originationIdentitiesFromGraph(resources: readonly RecordedResource[]): GraphOriginationIdentity[] {
  const component = componentOf(resources);
  const numbers: GraphOriginationIdentity[] = resources
    .filter((r) => r.type === PHONE_NUMBER)
    .map((r) => ({
      component: component(r),
      arn: String(r.outputs.arn),
      names: [String(r.outputs.arn), String(r.id), String(r.outputs.phoneNumber)].filter((n) => n !== "undefined"),
      simulator: r.inputs.numberType === "SIMULATOR",
      ...(typeof r.inputs.isoCountryCode === "string" ? { isoCountryCode: r.inputs.isoCountryCode } : {}),
      optOutListName: typeof r.inputs.optOutListName === "string" ? r.inputs.optOutListName : "Default",
      selfManagedOptOuts: r.inputs.selfManagedOptOutsEnabled === true,
    }));
  const known = new Set(numbers.map((n) => n.arn));
  const granted = grantedSendTextResources(resources)
    .filter((arn) => !known.has(arn))
    .map((arn) => ({
      // Not created by the stacks: named by its own id (`pool-0123...`).
      component: ORIGINATION_IDENTITY_ARN.exec(arn)![2],
      arn,
      names: [arn, ORIGINATION_IDENTITY_ARN.exec(arn)![2]],
      simulator: false,
      optOutListName: "Default",
      selfManagedOptOuts: false,
    }));
  return [...numbers, ...granted.filter((g, i) => granted.findIndex((x) => x.arn === g.arn) === i)];
}

/** Origination identity ARNs in Allow statements of `sms-voice:SendTextMessage`. */
function grantedSendTextResources(resources: readonly RecordedResource[]): string[] {
  return resources.flatMap((r) => {
    if (typeof r.inputs.policy !== "string" || !r.inputs.policy.includes("sms-voice:SendTextMessage")) return [];
    let document: { Statement?: unknown };
    try {
      document = JSON.parse(r.inputs.policy) as { Statement?: unknown };
    } catch {
      return [];
    }
    const statements = (Array.isArray(document.Statement) ? document.Statement : [document.Statement]) as { Effect?: string; Action?: unknown; Resource?: unknown }[];
    return statements
      .filter((s) => s?.Effect === "Allow" && [s.Action].flat().includes("sms-voice:SendTextMessage"))
      .flatMap((s) => [s.Resource].flat())
      .filter((arn): arn is string => typeof arn === "string" && ORIGINATION_IDENTITY_ARN.test(arn));
  });
}
